#!/usr/bin/env node
// The `twinkit-worker` command. This stub is committed (the built CLI is not), so npm links the bin
// even when `npm ci` runs before `npm run build` in a clone; it loads the built CLI, or says how to build it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/twinkit-worker.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'twinkit-worker: the CLI is not built yet (packages/estimation/dist/twinkit-worker.js is missing). Run `npm run build` at the repository root, then try again.\n',
  );
  process.exit(1);
}
await import(cli.href);
