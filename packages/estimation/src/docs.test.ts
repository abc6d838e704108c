import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Runs every `ts` block of docs/estimation.md and docs/experiments.md and compares what it prints
// with the `text` block after it. Blocks are written to files (not `tsx -e`) because the Monte Carlo
// examples export a model that worker threads import from its module URL.
const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const scratch = resolve(packageRoot, 'node_modules/.docs-examples');

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

for (const guideName of ['estimation', 'experiments']) {
  const guide = readFileSync(resolve(packageRoot, `../../docs/${guideName}.md`), 'utf8');
  const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```\n\n```text\n([\s\S]*?)```/g)].map((m) => ({
    code: m[1]!,
    expected: m[2]!,
  }));

  describe(`docs/${guideName}.md`, () => {
    it('has runnable examples', () => {
      expect(blocks.length).toBeGreaterThanOrEqual(5);
    });
    blocks.forEach(({ code, expected }, i) => {
      it(`example ${i + 1} prints what the guide says`, { timeout: 120_000 }, () => {
        mkdirSync(scratch, { recursive: true });
        const file = resolve(scratch, `${guideName}-${i + 1}.mts`);
        writeFileSync(file, code);
        const r = spawnSync(
          resolve(packageRoot, '../../node_modules/.bin/tsx'),
          ['--conditions=@twinkit/source', file],
          {
            cwd: packageRoot,
            encoding: 'utf8',
          },
        );
        expect(r.stderr.replace(/npm warn[^\n]*\n/g, '')).toBe('');
        expect(r.status).toBe(0);
        expect(r.stdout).toBe(expected);
      });
    });
  });
}
