import seedrandom from 'seedrandom';

/** Serialisable state of an {@link Rng}, stored in checkpoints to resume a stream exactly. */
export interface RngState {
  readonly key: string;
  readonly alea: seedrandom.State.Alea;
  readonly spareNormal: number | null;
}

type AleaPrng = seedrandom.StatefulPRNG<seedrandom.State.Alea>;

/**
 * Seeded random stream built on `seedrandom`'s Alea generator.
 *
 * One root seed determines a whole run: {@link Rng.split} derives independent,
 * named child streams (`env/3`, `agent`, `minibatch`) whose sequences depend only
 * on the root seed and the name — not on how much the parent has been used — so
 * adding a draw in one component never shifts the numbers of another.
 */
export class Rng {
  /** The derivation key of this stream (root seed plus the names of every split). */
  readonly key: string;
  private prng: AleaPrng;
  private spareNormal: number | null = null;

  constructor(seed: number | string) {
    this.key = String(seed);
    this.prng = seedrandom.alea(this.key, { state: true });
  }

  /** A new independent stream named `name`, determined by this stream's key and the name only. */
  split(name: string | number): Rng {
    return new Rng(`${this.key}/${name}`);
  }

  /** Uniform double in [0, 1) with 53 bits of randomness. */
  uniform(): number {
    return this.prng.double();
  }

  /** Uniform double in [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.prng.double();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng.double() * n);
  }

  /** Unsigned 32-bit integer, e.g. to seed something else. */
  uint32(): number {
    return this.prng.int32() >>> 0;
  }

  /** Standard normal sample (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.prng.double();
    const v = this.prng.double();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Exponential sample with rate 1. */
  exponential(): number {
    let u = 0;
    while (u === 0) u = this.prng.double();
    return -Math.log(u);
  }

  /** Fisher–Yates shuffle of `array` in place; returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng.double() * (i + 1));
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** Snapshot of the stream, for checkpoints. */
  getState(): RngState {
    return { key: this.key, alea: this.prng.state(), spareNormal: this.spareNormal };
  }

  /** Rebuild a stream from {@link Rng.getState}; continues exactly where the snapshot was taken. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(state.key);
    rng.prng = seedrandom.alea('', { state: state.alea });
    rng.spareNormal = state.spareNormal;
    return rng;
  }
}

/** A fresh seed from the clock, for runs where the user gave none (the seed is then logged). */
export function randomSeed(): number {
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}
