import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The committed bin stub, which npm links even before the CLI is built, run from a copy of the
// package layout: without dist/ it says how to build; with it, it runs the built CLI.
const stub = resolve(fileURLToPath(new URL('.', import.meta.url)), '../bin/twinkit-sd.js');

function layout(withBuild: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'twinkit-sd-bin-'));
  mkdirSync(join(root, 'bin'));
  copyFileSync(stub, join(root, 'bin/twinkit-sd.js'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  if (withBuild) {
    mkdirSync(join(root, 'dist/cli'), { recursive: true });
    writeFileSync(
      join(root, 'dist/cli/main.js'),
      "process.stdout.write('built CLI ran with ' + process.argv.slice(2).join(' '));\n",
    );
  }
  return join(root, 'bin/twinkit-sd.js');
}

describe('the twinkit-sd bin stub', () => {
  it('says to run npm run build when the CLI is not built, and exits 1', () => {
    const r = spawnSync(process.execPath, [layout(false), 'run', 'model.xmile'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the CLI is not built yet .*Run `npm run build`/);
  });

  it('runs the built CLI with the arguments it was given', () => {
    const r = spawnSync(process.execPath, [layout(true), 'run', 'model.xmile'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('built CLI ran with run model.xmile');
  });
});
