import type { Options } from 'tsup';

/**
 * The one tsup configuration every package uses: ESM + CJS, declarations, source maps.
 * `keepNames`: class and function names survive bundling, so messages and stack traces say
 * `Resource`, not a bundler rename such as `_Resource`. `stripInternal`: members marked `@internal`
 * stay out of the published declarations.
 */
export const packageBuild: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  treeshake: true,
  splitting: false,
  keepNames: true,
};
