/** Core building blocks: spaces, the seeded RNG, typed errors. */
export * from './errors.js';
export * from './maybe-promise.js';
export * from './rng.js';
export * from './spaces.js';
