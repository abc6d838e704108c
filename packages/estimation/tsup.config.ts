import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

// The replication worker is its own entry: runReplications starts it on worker threads from
// `./replication-worker.js` (or `.cjs`) next to the bundle, so every entry that starts workers sits
// at the top of dist/. `shims` gives the CJS build import.meta.url.
export default defineConfig([
  {
    ...packageBuild,
    entry: {
      index: 'src/index.ts',
      'replication-worker': 'src/replications/replication-worker.ts',
      bullmq: 'src/bullmq/index.ts',
      stats: 'src/stats/index.ts',
    },
    shims: true,
  },
  // The twinkit-worker command line: dist/twinkit-worker.js (ESM, with its shebang).
  {
    ...packageBuild,
    entry: { 'twinkit-worker': 'src/bullmq/main.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
  },
]);
