import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

// Two entries: the main one (no `node:` module, bundles for a browser) and `@twinkit/des/node`
// (fileTraceSink, which writes files). The node entry imports the main one by name, kept external,
// so it does not carry a second copy of it.
export default defineConfig({
  ...packageBuild,
  entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
  external: ['@twinkit/des'],
});
