/**
 * A real twin for the service tests (`src/http`): the wearing machine of twin-models.ts, fed by a
 * ManualSource through a quality check, with a keeping sink (it takes commands), KPIs and scenarios.
 * Test support only: not shipped.
 */
import { SignJWT } from 'jose';
import { ManualSource, reading } from '../src/quality/manual-source';
import type { Reading } from '../src/reading';
import { defineSensors } from '../src/sensors';
import { createTwin } from '../src/twin';
import type { Twin } from '../src/twin/types';
import { KeepingSink } from './keeping-sink';
import { type Wear, type WearParams, wearingMachine } from './twin-models';

/** The HS256 secret of the tests' services. */
export const SECRET = 'the-twin-service-test-secret-0123456789abcdef';

/** Where the tests' readings start: 2024-01-15T10:00:00Z. */
export const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);

export const sensors = defineSensors([
  {
    id: 'HEALTH-001',
    source: 'factory/production/line1/machine1/telemetry/health',
    unit: '%',
    range: [0, 100],
    asset: 'M1',
  },
  {
    id: 'TEMP-001',
    source: 'factory/production/line1/machine1/telemetry/temperature',
    unit: 'degC',
    range: [-20, 150],
    asset: 'M1',
  },
  {
    id: 'TEMP-002',
    source: 'factory/production/line1/machine2/telemetry/temperature',
    unit: 'degC',
    range: [-20, 150],
    asset: 'M2',
  },
]);

/** A reading of one of the tests' sensors, `s` seconds after {@link T0}. */
export function at(sensor: 'HEALTH-001' | 'TEMP-001' | 'TEMP-002', s: number, value: number): Reading {
  const spec = sensors.get(sensor);
  return reading(sensor, T0 + s * 1000, value, { source: spec.source, unit: spec.unit });
}

export interface ServiceTwin {
  readonly twin: Twin<WearParams, Wear>;
  readonly source: ManualSource;
  readonly sink: KeepingSink;
}

/** A started twin; `stop` it after the tests. Without `sinks: false` it has a sink that takes commands. */
export async function startTwin(options: { sinks?: boolean } = {}): Promise<ServiceTwin> {
  const source = new ManualSource();
  const sink = new KeepingSink('memory');
  const twin = createTwin({
    model: wearingMachine,
    params: { initial: 100, wearRate: 0.01, wearNoise: 0.001 },
    seed: 1,
    sources: [source],
    quality: {
      sensors,
      range: true,
      units: false,
      monotonic: false,
      spike: false,
      forwardFill: false,
      heartbeat: false,
    },
    assimilate: {
      assets: {
        M1: {
          state: ['M1.health'],
          Q: [[0.0001]],
          sensors: { 'HEALTH-001': { h: (x) => [x[0] as number], R: 0.5 } },
        },
      },
    },
    sinks: options.sinks === false ? [] : [sink],
    publish: { stateEveryS: 5, kpisEveryS: 5 },
    kpis: (sim) => ({ health: sim.model.health(), ticks: sim.model.ticks() }),
    scenarios: { outputs: (sim) => ({ health: sim.model.health() }), primary: 'health', workers: 1 },
  });
  await twin.start();
  return { twin, source, sink };
}

/** Tokens for every case of the role table. */
export interface Tokens {
  readonly operator: string;
  readonly engineer: string;
  readonly admin: string;
  /** Signed with another secret. */
  readonly bad: string;
  /** Expired a minute ago. */
  readonly expired: string;
  /** A role the service does not know. */
  readonly viewer: string;
}

export async function makeTokens(
  sign: (o: {
    subject: string;
    role: 'operator' | 'engineer' | 'admin';
    secret: string;
    expiresIn?: number;
  }) => Promise<string>,
): Promise<Tokens> {
  return {
    operator: await sign({ subject: 'olga', role: 'operator', secret: SECRET }),
    engineer: await sign({ subject: 'erik', role: 'engineer', secret: SECRET }),
    admin: await sign({ subject: 'ada', role: 'admin', secret: SECRET }),
    bad: await sign({ subject: 'mallory', role: 'admin', secret: `${SECRET}-not-this-one` }),
    expired: await sign({ subject: 'olga', role: 'admin', secret: SECRET, expiresIn: -60 }),
    viewer: await new SignJWT({ role: 'viewer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('vic')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET)),
  };
}
