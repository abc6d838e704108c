import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Runs an example exactly as its header says and returns what it printed. */
function runExample(name: string): string {
  return execFileSync(tsx, ['--conditions=@twinkit/source', join('examples', 'des', `${name}.ts`)], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('DES examples print their committed expected output', () => {
  for (const name of ['bank-reneging', 'machine-shop', 'car-wash', 'production-line']) {
    it(name, () => {
      const expected = readFileSync(join(here, `${name}.expected.txt`), 'utf8');
      expect(runExample(name)).toBe(expected);
    });
  }
});
