// Runs in a browser (bundled by scripts/ci/browser-bundle.mjs): a Simulation with processes and
// timeouts, and seeded random streams.
import { RandomStream, Simulation } from '@twinkit/core';

const sim = new Simulation({ seed: 7 });
const fired = [];
for (const [name, delay] of [
  ['c', 3],
  ['a', 1],
  ['b', 2],
]) {
  sim.process(function* () {
    yield sim.timeout(delay);
    fired.push({ name, at: sim.now });
  });
}
sim.schedule(2.5, () => fired.push({ name: 'scheduled', at: sim.now }));
sim.run({ until: 10 });

// The same key draws the same numbers; the sample mean of exponential(5) is near 5.
const key = { seed: 42, name: 'arrivals', replication: 0, forkPath: '' };
const one = new RandomStream(key);
const two = new RandomStream(key);
const n = 20_000;
let sum = 0;
let same = true;
for (let i = 0; i < n; i++) {
  const x = one.exponential(5);
  if (x !== two.exponential(5)) same = false;
  sum += x;
}
const a = new Simulation({ seed: 3 }).rng('service').next();
const b = new Simulation({ seed: 3 }).rng('service').next();

window.__result = { fired, now: sim.now, reproducible: same && a === b, n, mean: sum / n };
