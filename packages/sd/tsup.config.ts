import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

export default defineConfig([
  { ...packageBuild },
  // The twinkit-sd command line, a second entry: dist/cli/main.js (ESM, with its shebang).
  {
    ...packageBuild,
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
  },
]);
