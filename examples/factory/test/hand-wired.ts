/**
 * The factory twin's synchronization as it was hand-wired before `createTwin` existed, frozen here
 * unchanged (only renamed) so a test can show that the twin the runtime builds from a recorded
 * file reaches the same estimates to the last bit. Test support only: nothing imports it but tests.
 */

import { ExtendedKalmanFilter } from '@twinkit/estimation';
import { invalidArgument } from '../../support/invalid-argument';
import { factory } from '../model';
import type { FactoryParams } from '../params';
import { temperatureOf, temperatureSlope, vibrationOf, vibrationSlope } from '../sensors';
import {
  type EstimatePoint,
  healthProcessNoise,
  type SyncCounts,
  type SyncResult,
  type TwinReading,
} from '../twin';

/**
 * Runs the twin over the telemetry: the twin's clock follows the readings; each machine's health
 * is estimated by an EKF whose prediction is the twin's own wear since the last correction and
 * whose measurement model is the sensors' physics; each posterior is written back into the twin
 * (`sim.state.set`, journaled, so forks replay it). Failures come from the plant's state reports.
 * `truth` (aligned with `readings`) is used only to record the error, never by the filter.
 */
export function handWiredSynchronize(
  params: FactoryParams,
  readings: readonly TwinReading[],
  options: {
    seed: number;
    truth?: readonly number[];
    onProgress?: (fraction: number) => void;
    writeInterval?: number;
  },
): SyncResult {
  const writeInterval = options.writeInterval ?? 60;
  if (options.truth !== undefined && options.truth.length !== readings.length) {
    throw invalidArgument(
      'synchronize(params, readings, { truth })',
      `truth must hold one value per reading (${readings.length})`,
      options.truth.length,
    );
  }
  const threshold = params.failureThreshold;
  const priorMean = (threshold + 100) / 2;
  const priorVariance = (100 - threshold) ** 2 / 12; // the spread of the plant's uniform start
  const twin = factory.create({
    seed: options.seed,
    params: {
      ...params,
      initialHealth: Array(params.machines).fill(priorMean),
      failures: 'reported',
      record: false,
    },
  });
  const m = twin.model;
  // The twin's own wear since the last correction, per machine: the EKF's transition is
  // x' = x − wear (its Jacobian is 1), so the twin's simulated load drives the prediction.
  const pendingWear = m.machines.map(() => 0);
  const q = healthProcessNoise(params);
  const makeFilter = (i: number, x: number, variance: number) =>
    new ExtendedKalmanFilter({
      x0: [x],
      P0: [[variance]],
      f: (h) => [h[0]! - pendingWear[i]!],
      F: [[1]],
      Q: (dt) => [[q * dt]],
      sensors: {
        vibration: {
          h: (h) => [vibrationOf(h[0]!)],
          H: (h) => [[vibrationSlope(h[0]!)]],
          R: [[params.vibrationNoise ** 2]],
        },
        temperature: {
          h: (h) => [temperatureOf(h[0]!)],
          H: (h) => [[temperatureSlope(h[0]!)]],
          R: [[params.temperatureNoise ** 2]],
        },
      },
    });
  const filters = m.machines.map((_, i) => makeFilter(i, priorMean, priorVariance));
  const lastTime = m.machines.map(() => 0);
  const lastSeen = m.machines.map(() => priorMean); // the twin's health after the previous step
  const lastWrite = m.machines.map(() => Number.NEGATIVE_INFINITY);
  const repairsSeen = m.machines.map(() => 0);
  const estimates: EstimatePoint[] = [];
  const counts: SyncCounts = { used: 0, uncertain: 0, whileDown: 0, failureReports: 0, otherStateReports: 0 };
  let lastReport = 0;
  readings.forEach((r, index) => {
    if (r.t > twin.now) twin.advanceTo(r.t);
    const machine = m.machines[r.machine];
    if (machine === undefined)
      throw invalidArgument(
        'synchronize(params, readings)',
        `readings must come from machines 1..${m.machines.length}`,
        r.machine + 1,
        'Run the twin with as many machines as the plant (--machines).',
      );
    if (r.kind === 'state') {
      // The plant's controller reports a stop: the twin's machine fails now and the twin's own
      // technicians repair it, so a restart report needs nothing (it is counted).
      if (r.value === 0 && !machine.down) {
        twin.input('failure', { machine: r.machine });
        counts.failureReports++;
      } else counts.otherStateReports++;
      return;
    }
    if (r.quality !== 'good') {
      counts.uncertain++;
      return;
    }
    if (machine.down) {
      counts.whileDown++;
      return;
    }
    const filter = filters[r.machine]!;
    const repairs = machine.failures;
    if (repairs !== repairsSeen[r.machine]) {
      // The twin repaired the machine since the last reading: health is 100 again, exactly.
      repairsSeen[r.machine] = repairs;
      filter.reset([machine.health], [[0.01]]);
      lastSeen[r.machine] = machine.health;
      lastTime[r.machine] = twin.now;
    }
    pendingWear[r.machine] = lastSeen[r.machine]! - machine.health;
    filter.predict(Math.max(twin.now - lastTime[r.machine]!, 1e-9));
    filter.update([r.value], { sensor: r.kind });
    const x = filter.x[0]!;
    // The correction reaches the model at most every `writeInterval` minutes: every write is
    // journaled and replayed by each fork, so fewer writes make forks cheaper; the filter itself
    // runs on every reading (it needs only the twin's wear, not its level).
    if (twin.now - lastWrite[r.machine]! >= writeInterval) {
      twin.state.set(machine.healthName, x);
      lastWrite[r.machine] = twin.now;
    }
    lastSeen[r.machine] = machine.health;
    lastTime[r.machine] = twin.now;
    counts.used++;
    estimates.push({
      t: twin.now,
      machine: r.machine,
      estimate: x,
      sd: Math.sqrt(filter.P[0]![0]!),
      truth: options.truth?.[index] ?? Number.NaN,
    });
    if (options.onProgress && index - lastReport >= 2000) {
      lastReport = index;
      options.onProgress(index / readings.length);
    }
  });
  // Bring every running machine of the twin to its latest estimate before it is forked.
  m.machines.forEach((machine, i) => {
    if (!machine.down && lastWrite[i]! < twin.now && Number.isFinite(lastWrite[i]!)) {
      twin.state.set(machine.healthName, filters[i]!.x[0]!);
    }
  });
  const final = filters.map((f, i) =>
    m.machines[i]!.down
      ? { estimate: m.machines[i]!.health, sd: 0 }
      : { estimate: f.x[0]!, sd: Math.sqrt(f.P[0]![0]!) },
  );
  return { twin, estimates, counts, final };
}
