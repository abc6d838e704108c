import { defineModel } from '@twinkit/core';
import { createStream } from '@twinkit/core/internal';
import { describe, expect, it } from 'vitest';
import { MerweScaledSigmaPoints } from '../unscented-kalman-filter/sigma-points';
import { UnscentedKalmanFilter } from '../unscented-kalman-filter/unscented-kalman-filter';
import { SimulationParticleFilter } from './simulation-particle-filter';
import { SimulationStateSpace } from './simulation-state-space';

interface MachineParams {
  initialHealth: number;
  wearRate: number;
  wearNoise: number;
}

/**
 * A machine whose health stock wears down in steps of 0.1 time units with random wear (a process
 * on the shared clock); the health is an owner-defined, writable state-vector variable.
 */
const machine = defineModel((sim, p: MachineParams) => {
  const wear = sim.rng('wear');
  let health = p.initialHealth;
  sim.state.define('machine.health', {
    get: () => health,
    set: (value) => {
      health = value;
    },
  });
  sim.process(function* () {
    for (;;) {
      yield sim.timeout(0.1);
      health -= p.wearRate * 0.1 * Math.max(0, 1 + wear.normal(0, p.wearNoise));
    }
  });
});

/** Vibration grows as health falls: the sensor reads 1 + 4(1 − health) + noise. */
const vibration = (health: number) => 1 + 4 * (1 - health);
const R = [[0.04]];

/** The hidden truth: a seeded "physical" run that wears faster than the model's nominal rate and starts lower. */
function physical() {
  const truth = machine.create({
    seed: 99,
    params: { initialHealth: 0.85, wearRate: 0.012, wearNoise: 0.5 },
  });
  const noise = createStream({ seed: 99, name: 'vibration-sensor', replication: 0, forkPath: '' });
  return {
    truth,
    read(t: number): number {
      truth.run({ until: t });
      return vibration(truth.state.get('machine.health')) + noise.normal(0, Math.sqrt(R[0]![0]!));
    },
  };
}

const nominal: MachineParams = { initialHealth: 1, wearRate: 0.01, wearNoise: 0.5 };

describe('filters on simulations', () => {
  it('a UKF on the simulation (sigma points through forks) converges to the hidden machine health', () => {
    const { truth, read } = physical();
    const live = machine.create({ seed: 1, params: nominal });
    const space = new SimulationStateSpace(live, { states: ['machine.health'] });
    const ukf = new UnscentedKalmanFilter({
      x0: space.read(),
      P0: [[0.04]],
      f: space.transition,
      Q: [[2e-4]],
      h: ([health]) => [vibration(health!)],
      R,
      sigmaPoints: new MerweScaledSigmaPoints({ alpha: 1, beta: 2, kappa: 2 }),
    });
    const initialError = Math.abs(ukf.x[0]! - truth.state.get('machine.health'));
    for (let t = 1; t <= 30; t++) {
      ukf.predict(1);
      space.advance(1);
      ukf.update([read(t)]);
      space.write(ukf.x);
    }
    const error = Math.abs(ukf.x[0]! - truth.state.get('machine.health'));
    expect(initialError).toBeGreaterThan(0.1);
    expect(error).toBeLessThan(0.04);
    expect(error).toBeLessThan(3 * Math.sqrt(ukf.P[0]![0]!));
    // The correction reached the model: the live simulation holds the estimate.
    expect(live.state.get('machine.health')).toBe(ukf.x[0]);
    expect(live.now).toBe(30);
  });

  it('a particle filter whose particles are forks converges to the hidden machine health', () => {
    const { truth, read } = physical();
    const live = machine.create({ seed: 1, params: nominal });
    const rng = createStream({ seed: 5, name: 'pf', replication: 0, forkPath: '' });
    const pf = new SimulationParticleFilter(live, {
      particles: 100,
      states: ['machine.health'],
      rng,
      initial: (r) => [0.8 + 0.3 * r.next()],
      h: (sim) => [vibration(sim.state.get('machine.health'))],
      R,
    });
    const initialError = Math.abs(pf.estimate().x[0]! - truth.state.get('machine.health'));
    expect(initialError).toBeGreaterThan(0.08);
    let resamplings = 0;
    for (let t = 1; t <= 25; t++) {
      pf.advanceTo(t);
      const r = pf.update([read(t)]);
      if (r.kind === 'measurement' && r.resampled) resamplings++;
    }
    const { x, P } = pf.estimate();
    const error = Math.abs(x[0]! - truth.state.get('machine.health'));
    expect(error).toBeLessThan(0.04);
    expect(error).toBeLessThan(3 * Math.sqrt(P[0]![0]!) + 0.01);
    expect(resamplings).toBeGreaterThan(0);
    expect(pf.time).toBe(25);
    // The live simulation itself was not touched.
    expect(live.now).toBe(0);
  });

  it('refuses unknown or read-only states', () => {
    const live = machine.create({ seed: 1, params: nominal });
    expect(() => new SimulationStateSpace(live, { states: ['machine.speed'] })).toThrow(
      /every state must be defined/,
    );
  });
});
