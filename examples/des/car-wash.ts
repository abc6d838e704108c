/**
 * A car wash (after SimPy's "Carwash" example): a few washing machines, cars arriving at random,
 * each wash taking a fixed time. A structured trace prints what the machines do.
 *
 *   npx tsx --conditions=@twinkit/source examples/des/car-wash.ts
 */
import { Simulation } from '@twinkit/core';
import { formatTraceRecord, Resource, startTrace } from '@twinkit/des';

const MACHINES = 2;
const WASH_TIME = 5; // minutes
const INTERVAL = [5, 9] as const; // minutes between cars, uniform
const INITIAL_CARS = 4;
const SIM_TIME = 40;

const sim = new Simulation({ seed: 42 });
const carwash = new Resource(sim, { capacity: MACHINES, name: 'carwash' });

function* car(name: string) {
  console.log(`${sim.now.toFixed(2).padStart(6)}  ${name} arrives at the carwash.`);
  const req = carwash.request();
  yield req;
  console.log(`${sim.now.toFixed(2).padStart(6)}  ${name} enters the carwash.`);
  yield sim.timeout(WASH_TIME);
  const dirt = Math.floor(sim.rng('dirt').uniform(50, 100));
  console.log(`${sim.now.toFixed(2).padStart(6)}  Carwash removed ${dirt}% of ${name}'s dirt.`);
  carwash.release(req);
  console.log(`${sim.now.toFixed(2).padStart(6)}  ${name} leaves the carwash.`);
}

// Print the machine-side trace of grants and releases, as it happens.
startTrace(sim, {
  kinds: ['grant', 'release'],
  sink: (record) => console.log(`        trace: ${formatTraceRecord(record)}`),
});

sim.process(function* setup() {
  let i = 0;
  for (; i < INITIAL_CARS; i++) sim.process(car(`Car ${i}`), { name: `car${i}` });
  for (;;) {
    yield sim.timeout(sim.rng('arrivals').uniform(...INTERVAL));
    sim.process(car(`Car ${i}`), { name: `car${i}` });
    i++;
  }
});

sim.run({ until: SIM_TIME });

const s = carwash.stats;
console.log('');
console.log(`cars washed ${s.departures}, still washing ${carwash.count}, waiting ${carwash.queueLength}`);
console.log(
  `mean wait ${s.waitingTime.mean.toFixed(3)} min, machines busy ${(100 * (s.utilization ?? 0)).toFixed(1)} %`,
);
