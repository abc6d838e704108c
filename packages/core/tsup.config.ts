import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

// Two entries: `@twinkit/core` and `@twinkit/core/internal` (validators and RNG internals for the
// sibling packages). `splitting`: the code they share is one chunk, not a copy per entry, so a
// TwinkitError thrown through /internal is `instanceof` the public TwinkitError.
export default defineConfig({
  ...packageBuild,
  splitting: true,
  entry: { index: 'src/index.ts', internal: 'src/internal.ts' },
});
