import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

export default defineConfig([
  // The main entry (no `node:` module, bundles for a browser) and `@twinkit/sd/node` (loadXmile,
  // which reads files). The node entry imports the main one by name, kept external, so both share
  // one copy of the classes.
  { ...packageBuild, entry: { index: 'src/index.ts', node: 'src/node/index.ts' }, external: ['@twinkit/sd'] },
  // The twinkit-sd command line, a second entry: dist/cli/main.js (ESM, with its shebang).
  {
    ...packageBuild,
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    external: ['@twinkit/sd', '@twinkit/sd/node'],
  },
]);
