import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type FactoryParams } from './params';
import { handWiredSynchronize } from './test/hand-wired';
import {
  factorySensors,
  liveTopic,
  parseTelemetry,
  runPlant,
  synchronize,
  synchronizeFile,
  telemetryJsonl,
} from './twin';

const SMALL: FactoryParams = { ...DEFAULTS, machines: 3, technicians: 2 };

describe('the factory twin on the live-twin runtime', () => {
  it('reaches, from the recorded file through createTwin, the hand-wired estimates to the last bit', async () => {
    // Failures, repairs and readings while down: every branch of the assimilation is taken.
    const fast = { ...SMALL, busyWearRate: 0.02, idleWearRate: 0.008, initialHealth: [60, 75, 90] };
    const plant = runPlant(fast, 9, 2);
    const text = telemetryJsonl(plant.readings);
    const path = join(mkdtempSync(join(tmpdir(), 'factory-')), 'telemetry.jsonl');
    writeFileSync(path, text);
    const truth = plant.readings.map((r) => r.truth);
    const reference = handWiredSynchronize(fast, parseTelemetry(text), { seed: 5, truth });
    const viaRuntime = await synchronizeFile(fast, path, { seed: 5, truth });
    const inMemory = synchronize(fast, parseTelemetry(text), { seed: 5, truth });
    expect(reference.counts.failureReports).toBeGreaterThan(1);
    expect(reference.counts.whileDown).toBeGreaterThan(0);
    for (const run of [viaRuntime, inMemory]) {
      expect(run.estimates).toEqual(reference.estimates); // toEqual on numbers is Object.is: every bit
      expect(run.counts).toEqual(reference.counts);
      expect(run.final).toEqual(reference.final);
      expect(run.twin.now).toBe(reference.twin.now);
      expect(run.twin.eventsProcessed).toBe(reference.twin.eventsProcessed);
      expect(run.twin.snapshot()).toEqual(reference.twin.snapshot());
    }
    // The runtime's counters agree with the assimilation's own.
    const { counts } = reference;
    expect(viaRuntime.stats.readings).toMatchObject({
      received: plant.readings.length,
      assimilated: counts.used + counts.failureReports,
      skipped: {
        uncertain: counts.uncertain,
        while_down: counts.whileDown,
        state_report: counts.otherStateReports,
      },
      late: 0,
      duplicate: 0,
    });
  });
});

describe('the live factory’s sensors', () => {
  it('puts every machine’s sensors on the design document’s topics and on its asset', () => {
    const sensors = factorySensors({ machines: 2 });
    expect(sensors.list().map((s) => [s.id, s.source, s.asset])).toEqual([
      ['VIB-001', 'factory/production/line1/machine1/telemetry/vibration', 'M1'],
      ['TEMP-001', 'factory/production/line1/machine1/telemetry/temperature', 'M1'],
      ['PLC-001', 'factory/production/line1/machine1/status/state', 'M1'],
      ['VIB-002', 'factory/production/line1/machine2/telemetry/vibration', 'M2'],
      ['TEMP-002', 'factory/production/line1/machine2/telemetry/temperature', 'M2'],
      ['PLC-002', 'factory/production/line1/machine2/status/state', 'M2'],
    ]);
    expect(sensors.bySource(liveTopic('temperature', 1))?.id).toBe('TEMP-002');
  });
});
