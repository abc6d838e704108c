import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

// The replication worker is its own entry: runReplications starts it on worker threads from
// `./replication-worker.js` (or `.cjs`) next to the bundle. `shims` gives the CJS build import.meta.url.
export default defineConfig({
  ...packageBuild,
  entry: { index: 'src/index.ts', 'replication-worker': 'src/replications/replication-worker.ts' },
  shims: true,
});
