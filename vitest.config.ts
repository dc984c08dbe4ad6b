import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The machines have 2 cores: two workers keep both busy without oversubscribing.
    maxWorkers: 2,
    testTimeout: 60_000,
    reporters: ['default'],
  },
});
