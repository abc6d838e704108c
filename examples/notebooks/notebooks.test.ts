// The notebooks themselves run in CI through scripts/run-notebooks.sh (a Jupyter kernel is not
// available to vitest); these tests keep what is stored in the repository tidy and runnable.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const notebooks = readdirSync(here).filter((name) => name.endsWith('.ipynb'));

interface Cell {
  cell_type: string;
  id?: string;
  source: string[] | string;
  outputs?: unknown[];
  execution_count?: number | null;
}
interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: { kernelspec?: { name?: string; language?: string } };
  cells: Cell[];
}

const read = (name: string) => JSON.parse(readFileSync(join(here, name), 'utf8')) as Notebook;
const code = (nb: Notebook) =>
  nb.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source))
    .join('\n');

it('holds the four notebooks of the issue, each listed in the README', () => {
  expect(notebooks.sort()).toEqual([
    'abm-data-collection.ipynb',
    'des-queueing.ipynb',
    'factory-twin.ipynb',
    'sd-xmile-sensitivity.ipynb',
  ]);
  const readme = readFileSync(join(here, 'README.md'), 'utf8');
  for (const name of notebooks) expect(readme).toContain(`(${name})`);
});

describe.each(notebooks)('%s', (name) => {
  const nb = read(name);

  it('is an nbformat 4.5 notebook for the tslab kernel with an id on every cell', () => {
    expect([nb.nbformat, nb.nbformat_minor]).toEqual([4, 5]);
    expect(nb.metadata.kernelspec).toMatchObject({ name: 'tslab', language: 'typescript' });
    const ids = nb.cells.map((c) => c.id);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is stored without outputs or execution counts', () => {
    for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) {
      expect(cell.outputs).toEqual([]);
      expect(cell.execution_count).toBeNull();
    }
  });

  it('imports twinkit through package entry points only, loads only existing factory modules, and never uses Math.random', () => {
    const source = code(nb);
    for (const match of source.matchAll(/from\s+'(@twinkit\/[^']+)'/g)) {
      expect(match[1]).toMatch(/^@twinkit\/(core|des|sd|abm|estimation)(\/(node|stats))?$/);
    }
    expect(source).not.toContain('Math.random');
    // Modules tslab cannot compile (outside the notebook folder) are loaded at run time by tsx
    // (factory-twin.ipynb): only the factory example's, and only ones that exist.
    for (const match of source.matchAll(/require\('(\.[^']+)'\)/g)) {
      expect(match[1]).toMatch(/^\.\.\/factory\/[a-z-]+\.ts$/);
      expect(statSync(join(here, match[1]!)).isFile()).toBe(true);
    }
  });

  it('ends with a check that can fail the headless run', () => {
    const cells = nb.cells.filter((c) => c.cell_type === 'code');
    const last = cells.at(-1)!;
    expect(Array.isArray(last.source) ? last.source.join('') : last.source).toMatch(/throw new Error\(/);
  });

  it('reads only data files that exist and that data/README.md accounts for', () => {
    const dataReadme = readFileSync(join(here, 'data', 'README.md'), 'utf8');
    for (const match of code(nb).matchAll(/'(data\/[^']+)'/g)) {
      const path = match[1]!;
      expect(statSync(join(here, path)).isFile()).toBe(true);
      expect(dataReadme).toContain(`\`${path.slice('data/'.length)}\``);
    }
  });
});

it('gives every data file a licence note', () => {
  const dataReadme = readFileSync(join(here, 'data', 'README.md'), 'utf8');
  expect(dataReadme).toMatch(/MIT/);
  for (const file of readdirSync(join(here, 'data')).filter((f) => f !== 'README.md')) {
    expect(dataReadme).toContain(`\`${file}\``);
  }
});

it('has an executable runner script that fails on cell errors', () => {
  const script = join(here, '..', '..', 'scripts', 'run-notebooks.sh');
  expect(statSync(script).mode & 0o111).not.toBe(0);
  const text = readFileSync(script, 'utf8');
  expect(text).toContain('set -euo pipefail');
  expect(text).toContain('--ExecutePreprocessor.kernel_name=tslab');
  // The run that decides the exit status stops on errors (only the diagnosis re-run lets them pass).
  const run = /nbconvert(?:(?!nbconvert)[\s\S])*?--output-dir "\$OUT"/.exec(text);
  expect(run).not.toBeNull();
  expect(run![0]).not.toContain('--allow-errors');
});
