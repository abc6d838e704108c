import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs every `ts` block of docs/sd.md and compares what it prints with the `text` block after it.
const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const guide = readFileSync(resolve(packageRoot, '../../docs/sd.md'), 'utf8');
const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```\n\n```text\n([\s\S]*?)```/g)].map((m) => ({
  code: m[1]!,
  expected: m[2]!,
}));

// Programs run from a folder of their own, as a user runs them: `SIR.xmile` is copied beside them.
const scratch = resolve(packageRoot, 'node_modules/.docs-examples');
mkdirSync(scratch, { recursive: true });
copyFileSync(
  resolve(packageRoot, '../../fixtures/sd-test-models/samples/SIR/SIR.xmile'),
  resolve(scratch, 'SIR.xmile'),
);

describe('docs/sd.md', () => {
  it('has runnable examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });
  blocks.forEach(({ code, expected }, i) => {
    it(`example ${i + 1} prints what the guide says`, () => {
      const tsx = resolve(packageRoot, '../../node_modules/.bin/tsx');
      const r = spawnSync(tsx, ['--conditions=@twinkit/source', '-e', code], {
        cwd: scratch,
        encoding: 'utf8',
      });
      expect(r.stderr.replace(/npm warn[^\n]*\n/g, '')).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(expected);
    });
  });
});
