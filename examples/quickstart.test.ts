import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runExample } from './support/run-example';

it('the quickstart prints its expected output (same seed, same numbers)', async () => {
  const expected = readFileSync(new URL('./quickstart.expected.txt', import.meta.url), 'utf8');
  expect(await runExample('examples/quickstart.ts')).toBe(expected);
});
