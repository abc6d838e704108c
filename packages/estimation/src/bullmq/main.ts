#!/usr/bin/env node
/** Entry point of the `twinkit-worker` binary. */
import { runWorkerCli } from './cli';

process.exitCode = await runWorkerCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
