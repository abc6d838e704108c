#!/usr/bin/env node
// The `twinkit-sd` command. This stub is committed (the built CLI is not), so npm links the bin even
// when `npm ci` runs before `npm run build` in a clone; it loads the built CLI, or says how to build it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'twinkit-sd: the CLI is not built yet (packages/sd/dist/cli/main.js is missing). Run `npm run build` at the repository root, then try again.\n',
  );
  process.exit(1);
}
await import(cli.href);
