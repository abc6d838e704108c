import { existsSync, readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One vitest project per workspace package (plus examples and benchmarks when they hold tests).
// Packages are resolved through the `@twinkit/source` export condition, so tests run on the
// TypeScript sources of sibling packages without a build step.
const packageDirs = readdirSync('packages', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`packages/${d.name}/package.json`))
  .map((d) => `packages/${d.name}`);
const extraDirs = ['examples', 'benchmarks'].filter((d) => existsSync(d));

export default defineConfig({
  test: {
    projects: [...packageDirs, ...extraDirs].map((dir) => ({
      extends: true,
      test: {
        name: dir.replace(/^packages\//, ''),
        root: dir,
        include: ['**/*.test.ts'],
        exclude: ['**/node_modules/**', '**/dist/**'],
      },
    })),
    setupFiles: [new URL('./scripts/vitest-setup.ts', import.meta.url).pathname],
    // In CI, also write a machine-readable summary that .ci/run turns into one plain closing line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
  resolve: {
    conditions: ['@twinkit/source'],
  },
  ssr: {
    resolve: {
      conditions: ['@twinkit/source'],
    },
  },
});
