import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runExample } from './support/run-example';

it('the quickstart prints its expected output (same seed, same numbers)', async () => {
  const expected = readFileSync(new URL('./quickstart.expected.txt', import.meta.url), 'utf8');
  expect(await runExample('examples/quickstart.ts')).toBe(expected);
});

it("the README's quickstart is this example, with its output", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('./quickstart.ts', import.meta.url), 'utf8');
  const expected = readFileSync(new URL('./quickstart.expected.txt', import.meta.url), 'utf8');
  const program = example.slice(example.indexOf('import '));
  expect(readme).toContain(`\`\`\`ts\n${program}\`\`\`\n\n\`\`\`text\n${expected}\`\`\``);
});
