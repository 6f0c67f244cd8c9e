import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two cores on the CI machine; each integration suite starts its own redis-server and endpoint.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/local/**'],
          // A stack synth takes 3 s alone and twice that beside another suite on two cores.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/local/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Bundles the functions once through a real synth; the suites run those files.
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
