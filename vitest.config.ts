import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // media tests spawn ffmpeg; two cores: keep file-level parallelism modest
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
