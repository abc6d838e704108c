// Runs in a browser (bundled by scripts/ci/browser-bundle.mjs): an M/M/1 queue on a Resource.
import { Simulation } from '@twinkit/core';
import { Resource } from '@twinkit/des';

const lambda = 0.5; // arrivals per time unit
const mu = 1; // services per time unit
const horizon = 20_000;
const sim = new Simulation({ seed: 11 });
const server = new Resource(sim, { capacity: 1, name: 'server' });
sim.process(function* () {
  for (;;) {
    yield sim.timeout(sim.rng('arrivals').exponential(1 / lambda));
    sim.process(function* () {
      const request = server.request();
      yield request;
      yield sim.timeout(sim.rng('service').exponential(1 / mu));
      server.release(request);
    });
  }
});
sim.run({ until: horizon });
const { departures, waitingTime, utilization } = server.stats;
window.__result = {
  lambda,
  mu,
  horizon,
  now: sim.now,
  served: departures,
  meanWait: waitingTime.mean,
  utilization,
};
