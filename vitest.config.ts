import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['renderer/test/**/*.test.ts'],
    // Two cores: the suite spawns real processes (git, kubeconform, the CLI), so more workers only contend.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
