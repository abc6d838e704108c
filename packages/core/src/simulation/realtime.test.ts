import { describe, expect, it } from 'vitest';
import { Simulation } from './simulation';

describe('runRealtime', () => {
  it('paces simulated time to wall time x factor within the documented tolerance', async () => {
    const sim = new Simulation();
    const factor = 1000; // 1000 time units per wall second
    const lags: number[] = [];
    const wallStart = performance.now();
    for (let t = 25; t <= 300; t += 25) {
      sim.schedule(t, () => {
        const wallExpected = (sim.now / factor) * 1000;
        lags.push(performance.now() - wallStart - wallExpected);
      });
    }
    const result = await sim.runRealtime({ factor, until: 300 });
    const wallMs = performance.now() - wallStart;
    expect(result.reason).toBe('until');
    expect(sim.now).toBe(300);
    expect(lags).toHaveLength(12);
    // Never early; late by at most a slice plus timer latency. The upper bounds are generous because
    // CI runs test files in parallel on two cores; the median shows the pacing itself.
    for (const lag of lags) {
      expect(lag).toBeGreaterThanOrEqual(-1);
      expect(lag).toBeLessThan(200);
    }
    const median = [...lags].sort((a, b) => a - b)[lags.length >> 1]!;
    expect(median).toBeLessThan(40);
    expect(wallMs).toBeGreaterThanOrEqual(299);
    expect(wallMs).toBeLessThan(300 + 400);
  });

  it('lets other asynchronous work run meanwhile and stops on an AbortSignal', async () => {
    const sim = new Simulation();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 120);
    // External input arriving asynchronously is picked up by the running clock.
    let seenAt = -1;
    setTimeout(() => sim.schedule(0, () => (seenAt = sim.now)), 50);
    const result = await sim.runRealtime({ factor: 1, signal: controller.signal });
    clearInterval(timer);
    expect(result.reason).toBe('aborted');
    expect(ticks).toBeGreaterThan(2);
    expect(seenAt).toBeGreaterThan(0.03);
    expect(sim.now).toBeGreaterThan(0.1);
    expect(sim.now).toBeLessThan(1);
  });

  it('validates its options', async () => {
    const sim = new Simulation();
    await expect(sim.runRealtime({ factor: 0, until: 1 })).rejects.toThrow(
      /factor .* must be a finite number > 0, got 0/,
    );
    await expect(sim.runRealtime({})).rejects.toThrow(/a stop condition is required/);
    await expect(sim.runRealtime({ until: -1 })).rejects.toThrow(/until must be a finite time/);
  });
});
