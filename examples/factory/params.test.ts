import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TwinkitError } from '@twinkit/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, DEFAULTS, parseOptions } from './params';
import { createProgress, progressEnabled } from './progress';

function message(argv: string[]): string {
  try {
    parseOptions(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(TwinkitError);
    return (error as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('options', () => {
  it('uses the design document defaults without arguments', () => {
    const { params, settings, help } = parseOptions([]);
    expect(params).toEqual(DEFAULTS);
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(help).toBe(false);
    expect(params.technicians).toBe(5);
    expect([params.repairMean, params.repairSd]).toEqual([45, 8]);
    expect([params.busyWearRate, params.idleWearRate]).toEqual([0.002, 0.0005]);
  });

  it('takes flags, --name=value, lists and a JSON config file, flags winning over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'factory-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ technicians: 6, days: 3, processingTime: { dist: 'constant', value: 7 } }),
    );
    const { params, settings } = parseOptions([
      '--config',
      file,
      '--days',
      '7',
      '--scenarios=3,4',
      '--arrival-mean',
      '12',
    ]);
    expect(params.technicians).toBe(6);
    expect(params.processingTime).toEqual({ dist: 'constant', value: 7 });
    expect(params.arrivalMean).toBe(12);
    expect(settings.days).toBe(7);
    expect(settings.scenarios).toEqual([3, 4]);
  });

  it('rejects bad values naming the option, the rule and the value', () => {
    expect(message(['--technicians', '0'])).toBe(
      'factory options (--technicians): must be an integer >= 1, got 0. Pass a whole number of at least 1, e.g. --technicians 1.',
    );
    expect(message(['--days', '-2'])).toMatch(/\(--days\): must be a finite number > 0, got -2\./);
    expect(message(['--arrival-mean', 'fast'])).toMatch(/\(--arrival-mean\): must be a number, got "fast"\./);
    expect(message(['--failure-threshold', '100'])).toMatch(
      /\(--failure-threshold\): must be a number in \(0, 100\)/,
    );
    expect(message(['--machines', '2.5'])).toMatch(/\(--machines\): must be an integer >= 1, got 2\.5/);
    expect(message(['--scenarios', '4,4'])).toMatch(/\(--scenarios\): must not repeat a technician count/);
    expect(message(['--replications', '1'])).toMatch(/\(--replications\): must be an integer >= 2, got 1/);
    expect(message(['--initial-health', '80,90'])).toMatch(
      /\(--initial-health\): must be a list of one health per machine \(5\)/,
    );
    expect(message(['--processing-time', '{"dist":"triangular","min":9,"mode":8,"max":10}'])).toMatch(
      /\(--processing-time\): triangular needs min <= mode <= max/,
    );
    expect(message(['--processing-time', '{"dist":"gamma"}'])).toMatch(
      /\(--processing-time\.dist\): must be one of/,
    );
    expect(message(['--technician-cost', '-60'])).toMatch(
      /\(--technician-cost\): must be a finite number >= 0, got -60\./,
    );
    expect(message(['--downtime-cost', '-1'])).toMatch(
      /\(--downtime-cost\): must be a finite number >= 0, got -1/,
    );
    expect(message(['--tecnicians', '4'])).toMatch(
      /unknown option "--tecnicians"\. Known options: machines, /,
    );
    expect(message(['--days'])).toMatch(/option --days needs a value/);
    expect(message(['--config', '/nonexistent/factory.json'])).toMatch(
      /\(--config\): cannot read JSON from "\/nonexistent\/factory\.json"/,
    );
  });

  it('rejects bad values in a config file the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'factory-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ repairSd: -1 }));
    expect(message(['--config', file])).toMatch(/\(--repair-sd\): must be a finite number >= 0, got -1/);
    writeFileSync(file, JSON.stringify({ techs: 4 }));
    expect(message(['--config', file])).toMatch(/unknown option "techs \(in .*bad\.json\)"/);
  });
});

describe('progress indicator', () => {
  it('shows on a terminal only, and never in CI', () => {
    expect(progressEnabled({ isTTY: true }, {})).toBe(true);
    expect(progressEnabled({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(progressEnabled({ isTTY: false }, {})).toBe(false);
    expect(progressEnabled({}, {})).toBe(false);
    const written: string[] = [];
    const on = createProgress({ write: (t: string) => written.push(t) }, true);
    on.update('working', 0.5);
    on.done();
    expect(written[0]).toContain('working');
    expect(written[0]).toContain('50%');
    const off: string[] = [];
    const silent = createProgress({ write: (t: string) => off.push(t) }, false);
    silent.update('working', 0.5);
    silent.done();
    expect(off).toEqual([]);
  });
});
