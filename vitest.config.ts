import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // browser tests need the built web app: build web/dist once per run when its sources changed
    globalSetup: ['web/build.mjs'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // media tests spawn ffmpeg; two cores: keep file-level parallelism modest
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
