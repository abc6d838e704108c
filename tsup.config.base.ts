import type { Options } from 'tsup';

/** The one tsup configuration every package uses: ESM + CJS, declarations, source maps. */
export const packageBuild: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  treeshake: true,
  splitting: false,
};
