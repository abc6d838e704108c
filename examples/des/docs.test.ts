import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** The ```ts blocks of docs/des.md that are complete programs (they start with an import). */
const programs = [...readFileSync(join(root, 'docs', 'des.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .filter((code) => code.startsWith('import '));

describe('docs/des.md', () => {
  it('has runnable programs', () => {
    expect(programs.length).toBeGreaterThanOrEqual(6);
  });

  programs.forEach((code, index) => {
    it(`program ${index + 1} runs and its assertions hold`, () => {
      const dir = join(here, 'out');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `docs-program-${index + 1}.ts`);
      writeFileSync(file, code);
      // execFileSync throws if the program fails (a failed assert exits with a non-zero status).
      const output = execFileSync(tsx, ['--conditions=@twinkit/source', file], {
        cwd: root,
        encoding: 'utf8',
      });
      expect(output.length).toBeGreaterThan(0);
    });
  });
});
