import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../../../..');
const suite = resolve(repoRoot, 'fixtures/sd-test-models');

function cli(...args: string[]) {
  const r = spawnSync(
    resolve(repoRoot, 'node_modules/.bin/tsx'),
    ['--conditions=@twinkit/source', resolve(here, 'main.ts'), ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.replace(/npm warn[^\n]*\n/g, '') };
}

describe('twinkit-sd CLI (spawned)', () => {
  it('runs a suite model and writes CSV with time first and names as in the model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinkit-sd-'));
    const out = join(dir, 'teacup.csv');
    const r = cli('run', resolve(suite, 'samples/teacup/teacup.xmile'), '--method', 'rk4', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote 241 rows x 4 variables/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('time,Heat Loss to Room,Room Temperature,Teacup Temperature,Characteristic Time');
    expect(lines).toHaveLength(242);
    // RK4 on the teacup: T(t) = 70 + 110 exp(-t/10) to RK4 accuracy at dt = 0.125.
    const last = lines[241]!.split(',').map(Number);
    expect(last[0]).toBe(30);
    expect(Math.abs(last[3]! - (70 + 110 * Math.exp(-3)))).toBeLessThan(1e-6);
  });

  it('runs a Vensim .mdl model, naming array elements as Vensim does (Stock A[Entry 1,Column 1])', () => {
    const r = cli('run', resolve(suite, 'tests/subscript_2d_arrays/test_subscript_2d_arrays.mdl'));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toContain('Stock A[Entry 1,Column 1]');
    expect(lines[0]).toContain('Stock A[Entry 3,Column 2]');
    const bad = cli('run', resolve(suite, 'tests/dynamic_final_time/test_dynamic_final_time.mdl'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /test_dynamic_final_time\.mdl line 23: variable "FINAL TIME": FINAL TIME must be a constant/,
    );
  });

  it("gives a Vensim model's data variables the run's data files (--data)", () => {
    const dir = 'tests/data_from_other_model';
    const model = resolve(suite, dir, 'test_data_from_other_model.mdl');
    const r = cli('run', model, '--data', `fixtures/sd-test-models/${dir}/data.tab`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain('var 1dim[A]');
    const missing = cli('run', model);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /variable "var 0dim": is a data variable .* loadVensim\(path, \{ dataFiles/,
    );
    const xmile = cli('run', resolve(suite, 'samples/teacup/teacup.xmile'), '--data', 'x.tab');
    expect(xmile.code).toBe(2);
    expect(xmile.stderr).toMatch(/--data is for Vensim .mdl models/);
  });

  it('writes to standard output without --out', () => {
    const r = cli('run', resolve(suite, 'tests/eval_order/eval_order.xmile'));
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^time,/);
  });

  it('exits 1 with the reason for a broken model, 2 for wrong usage', () => {
    const broken = cli('run', resolve(suite, 'tests/non_negative_flows/test_non_negative_flows.xmile'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/test_non_negative_flows.xmile: malformed XML at line 45/);
    const missing = cli('run', 'nope.xmile');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read "nope.xmile"/);
    const usage = cli('run', 'x.xmile', '--method', 'gear');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--method must be euler, rk2, rk4 or rk45, got "gear"/);
    expect(cli().code).toBe(2);
    expect(cli('--help').code).toBe(0);
  });
});
