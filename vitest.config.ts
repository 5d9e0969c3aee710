import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // browser tests need the built web app: build web/dist once per run when its sources changed
    globalSetup: ['web/build.mjs'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll waits for what a page or a server shows; 1 s (vitest's default) is too short for a browser on a
    // loaded 2-core machine (a CI run failed on the home page showing its channel link after more than 1 s)
    expect: { poll: { timeout: 15_000 } },
    // media tests spawn ffmpeg; two cores: keep file-level parallelism modest
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
