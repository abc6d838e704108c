/**
 * The declarative form of a twin's assimilation: a KF, EKF or UKF per asset over state-vector
 * variables of the model, and the NIS drift monitor (not exported from the package).
 */
import type { Simulation } from '@twinkit/core';
import { closestMatch, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import {
  ConsistencyMonitor,
  type ConsistencyStatus,
  ExtendedKalmanFilter,
  KalmanFilter,
  type UnscentedKalmanFilter as UKF,
  UnscentedKalmanFilter,
  type UpdateResult,
} from '@twinkit/estimation';
import type { Reading } from '../reading';
import type { AssetMapping, AssimilationMapping, Estimate, SensorMapping } from './types';

const API = 'createTwin(options): assimilate';

type Matrix = readonly (readonly number[])[];
type AnyFilter = KalmanFilter | ExtendedKalmanFilter | UKF;

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

function checkMatrix(api: string, name: string, m: unknown, n: number): Matrix {
  if (
    !Array.isArray(m) ||
    m.length !== n ||
    !m.every((row) => Array.isArray(row) && row.length === n && row.every((v) => Number.isFinite(v)))
  )
    throw invalidArgument(api, `${name} must be a ${n}×${n} matrix of finite numbers`, m);
  return m as Matrix;
}

/**
 * A drift monitor over one asset's filter updates: raises once when the NIS average rises above its
 * band (innovations larger than the filter believes: the model no longer explains the data), and
 * again only after it came back into the band. An average below the band (a filter too pessimistic
 * about itself) is not drift and raises nothing. The band's default confidence is 0.99: a twin
 * watches many windows a day, and at 0.95 one in twenty consistent windows would raise an alarm.
 */
export class DriftMonitor {
  private readonly monitor: ConsistencyMonitor;
  private out = false;

  constructor(options: { window?: number; confidence?: number }) {
    this.monitor = new ConsistencyMonitor({ confidence: DRIFT_CONFIDENCE, ...options });
  }

  /** Adds an update; returns the status when this update starts an excursion, else undefined. */
  observe(update: UpdateResult): ConsistencyStatus | undefined {
    const status = this.monitor.observe(update);
    if (status.state === 'too-large' && !this.out) {
      this.out = true;
      return status;
    }
    if (status.state !== 'too-large') this.out = false;
    return undefined;
  }
}

/** The drift band's default confidence. */
export const DRIFT_CONFIDENCE = 0.99;

/** Checks the drift option of a mapping or of the function form. */
export function driftOptions(
  drift: AssimilationMapping['drift'],
): false | { window?: number; confidence?: number } {
  if (drift === false) return false;
  if (drift === undefined) return {};
  if (drift === null || typeof drift !== 'object')
    throw invalidArgument(`${API}.drift`, 'must be false or { window?, confidence? }', drift);
  rejectUnknownKeys(`${API}.drift`, drift, ['window', 'confidence'], '{ window: 20, confidence: 0.99 }');
  // Let the monitor check the values now, at configuration.
  new ConsistencyMonitor(drift);
  return drift;
}

class AssetFilter {
  readonly names: readonly string[];
  readonly filter: AnyFilter;
  readonly kind: 'kf' | 'ekf' | 'ukf';
  /** The model's values after the last write: the model's own move is measured from them. */
  readonly last: Float64Array;
  lastTime: number;
  lastUpdate: number | null = null;
  private readonly q: (dt: number) => Matrix;
  private readonly sensors: Readonly<Record<string, SensorMapping>>;
  private readonly move: Float64Array;

  constructor(asset: string, mapping: AssetMapping, kind: 'kf' | 'ekf' | 'ukf', sim: Simulation<unknown>) {
    const api = `${API}.assets['${asset}']`;
    if (mapping === null || typeof mapping !== 'object')
      throw invalidArgument(api, 'must be { state, Q, sensors, P0? }', mapping);
    rejectUnknownKeys(
      api,
      mapping,
      ['state', 'P0', 'Q', 'sensors'],
      "{ state: ['health'], Q: [[0.01]], sensors: {...} }",
    );
    if (!Array.isArray(mapping.state) || mapping.state.length === 0)
      throw invalidArgument(api, 'state must name at least one state-vector variable', mapping.state);
    for (const name of mapping.state) {
      if (typeof name !== 'string' || !sim.state.has(name)) {
        const near = closestMatch(String(name), sim.state.names);
        throw invalidArgument(
          `${api}.state`,
          "names a variable the model's state vector does not have",
          name,
          near !== undefined
            ? `Did you mean '${near}'?`
            : `The model defines: ${sim.state.names.join(', ') || 'no state variables'}.`,
        );
      }
    }
    const n = mapping.state.length;
    this.names = mapping.state;
    this.kind = kind;
    const P0 = mapping.P0 === undefined ? identity(n) : checkMatrix(api, 'P0', mapping.P0, n);
    if (typeof mapping.Q === 'function') {
      const fn = mapping.Q;
      this.q = (dt) => fn(dt);
    } else {
      const Q = checkMatrix(api, 'Q', mapping.Q, n);
      this.q = (dt) => Q.map((row) => row.map((v) => v * dt));
    }
    if (
      mapping.sensors === null ||
      typeof mapping.sensors !== 'object' ||
      Object.keys(mapping.sensors).length === 0
    )
      throw invalidArgument(api, 'sensors must map at least one sensor id to { h, R, H? }', mapping.sensors);
    this.sensors = mapping.sensors;
    const x0 = sim.state.read(this.names);
    this.last = Float64Array.from(x0);
    this.move = new Float64Array(n);
    this.lastTime = sim.now;
    const sensorOptions: Record<string, { h: SensorMapping['h']; H?: SensorMapping['H']; R: Matrix }> = {};
    for (const [id, s] of Object.entries(mapping.sensors)) {
      const where = `${api}.sensors['${id}']`;
      if (s === null || typeof s !== 'object') throw invalidArgument(where, 'must be { h, R, H? }', s);
      rejectUnknownKeys(where, s, ['h', 'H', 'R'], '{ h: (x) => [x[0]], R: 0.5 }');
      if (typeof s.h !== 'function')
        throw invalidArgument(where, 'h must be a function (x) => measurement', s.h);
      if (s.H !== undefined && typeof s.H !== 'function')
        throw invalidArgument(where, 'H must be a function (x) => Jacobian', s.H);
      if (kind === 'kf' && s.H === undefined)
        throw invalidArgument(
          where,
          "a 'kf' filter needs H (the linear measurement's matrix)",
          s.H,
          "Give H, or use filter: 'ekf'.",
        );
      const m = s.h(Float64Array.from(x0)).length;
      let R: Matrix;
      if (typeof s.R === 'number') {
        if (!(Number.isFinite(s.R) && s.R > 0) || m !== 1)
          throw invalidArgument(
            where,
            'R as a number is the standard deviation of a scalar sensor: a finite number > 0 for an h with one output',
            s.R,
          );
        R = [[s.R * s.R]];
      } else R = checkMatrix(where, 'R', s.R, m);
      sensorOptions[id] = { h: s.h, ...(s.H === undefined ? {} : { H: s.H }), R };
    }
    const I = identity(n);
    // The transition is the model's own move (passed as the input u), with Jacobian 1.
    const f = (x: Float64Array, _dt: number, u?: Float64Array) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = (x[i] as number) + (u ? (u[i] as number) : 0);
      return out;
    };
    if (kind === 'kf') {
      const sensors: Record<string, { H: Matrix; R: Matrix }> = {};
      for (const [id, s] of Object.entries(sensorOptions))
        sensors[id] = { H: (s.H as NonNullable<SensorMapping['H']>)(Float64Array.from(x0)), R: s.R };
      this.filter = new KalmanFilter({ x0, P0, F: I, B: I, Q: (dt) => this.q(dt), sensors });
    } else if (kind === 'ekf') {
      this.filter = new ExtendedKalmanFilter({
        x0,
        P0,
        f,
        F: I,
        Q: (dt) => this.q(dt),
        sensors: sensorOptions,
      });
    } else {
      const sensors: Record<string, { h: SensorMapping['h']; R: Matrix }> = {};
      for (const [id, s] of Object.entries(sensorOptions)) sensors[id] = { h: s.h, R: s.R };
      this.filter = new UnscentedKalmanFilter({ x0, P0, f, Q: (dt) => this.q(dt), sensors });
    }
  }

  /** Predicts with the model's move since the last update, corrects with the reading, writes back. */
  assimilate(sim: Simulation<unknown>, reading: Reading): UpdateResult {
    const current = sim.state.read(this.names);
    for (let i = 0; i < current.length; i++) this.move[i] = (current[i] as number) - (this.last[i] as number);
    const dt = sim.now - this.lastTime;
    this.filter.predict(dt, this.move);
    const sensor = this.sensors[reading.sensor_id] as SensorMapping;
    const update =
      this.kind === 'kf'
        ? (this.filter as KalmanFilter).update([reading.value], {
            sensor: reading.sensor_id,
            H: (sensor.H as NonNullable<SensorMapping['H']>)(current),
          })
        : this.filter.update([reading.value], { sensor: reading.sensor_id });
    const x = this.filter.x;
    for (let i = 0; i < this.names.length; i++) sim.state.set(this.names[i] as string, x[i] as number);
    this.last.set(x);
    this.lastTime = sim.now;
    this.lastUpdate = reading.time;
    return update;
  }

  /** The estimate at the twin's present: the model's values, the covariance predicted to now. */
  estimate(sim: Simulation<unknown>): Record<string, Estimate> {
    const P = this.filter.P;
    const dt = Math.max(0, sim.now - this.lastTime);
    const Q = dt > 0 ? this.q(dt) : undefined;
    const out: Record<string, Estimate> = {};
    this.names.forEach((name, i) => {
      const variance = (P[i]?.[i] ?? 0) + (Q ? (Q[i]?.[i] ?? 0) : 0);
      out[name] = { mean: sim.state.get(name), sd: Math.sqrt(Math.max(0, variance)) };
    });
    return out;
  }
}

/** The filters of a declarative mapping, one per asset, with the sensor-to-asset index. */
export class DeclarativeAssimilation {
  readonly assets = new Map<string, AssetFilter>();
  readonly assetOfSensor = new Map<string, string>();
  readonly drift: false | { window?: number; confidence?: number };

  constructor(mapping: AssimilationMapping, sim: Simulation<unknown>) {
    if (mapping === null || typeof mapping !== 'object')
      throw invalidArgument(
        API,
        'must be a mapping { assets } or a function (twin, reading) => void',
        mapping,
      );
    rejectUnknownKeys(
      API,
      mapping,
      ['filter', 'assets', 'drift'],
      "{ filter: 'ekf', assets: { M1: {...} } }",
    );
    const kind = mapping.filter ?? 'ekf';
    if (kind !== 'kf' && kind !== 'ekf' && kind !== 'ukf')
      throw invalidArgument(`${API}.filter`, "must be 'kf', 'ekf' or 'ukf'", kind);
    if (
      mapping.assets === null ||
      typeof mapping.assets !== 'object' ||
      Object.keys(mapping.assets).length === 0
    )
      throw invalidArgument(`${API}.assets`, 'must map at least one asset id to its filter', mapping.assets);
    this.drift = driftOptions(mapping.drift);
    for (const [asset, m] of Object.entries(mapping.assets)) {
      const filter = new AssetFilter(asset, m, kind, sim);
      this.assets.set(asset, filter);
      for (const sensor of Object.keys(m.sensors)) {
        const other = this.assetOfSensor.get(sensor);
        if (other !== undefined)
          throw invalidArgument(
            `${API}.assets['${asset}'].sensors`,
            `sensor '${sensor}' is mapped by asset '${other}' already; a sensor feeds one asset`,
            sensor,
          );
        this.assetOfSensor.set(sensor, asset);
      }
    }
  }

  /** The asset's filter of a sensor, if the mapping has it. */
  filterOf(sensor: string): { asset: string; filter: AssetFilter } | undefined {
    const asset = this.assetOfSensor.get(sensor);
    return asset === undefined ? undefined : { asset, filter: this.assets.get(asset) as AssetFilter };
  }
}
