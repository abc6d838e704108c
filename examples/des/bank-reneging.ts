/**
 * A bank with reneging (after SimPy's "Bank Renege" example): customers arrive at random, wait for
 * one of the counters, and leave if they have waited longer than their patience. The counter's
 * built-in statistics give the utilization, the queue and the reneges, with no extra code.
 *
 *   npx tsx --conditions=@twinkit/source examples/des/bank-reneging.ts
 */
import { type ConditionValue, Simulation } from '@twinkit/core';
import { Resource, startTrace } from '@twinkit/des';

const CUSTOMERS = 12;
const ARRIVAL_MEAN = 10; // minutes between arrivals
const SERVICE_MEAN = 12; // minutes at the counter
const PATIENCE = [1, 3] as const; // minutes, uniform

const sim = new Simulation({ seed: 42 });
const counter = new Resource(sim, { capacity: 1, name: 'bank.counter' });
const log = (line: string) => console.log(`${sim.now.toFixed(4).padStart(8)}  ${line}`);

function* customer(name: string) {
  const arrive = sim.now;
  log(`${name}: here I am`);
  const req = counter.request();
  const patience = sim.rng('patience').uniform(...PATIENCE);
  const result: ConditionValue = yield sim.anyOf([req, sim.timeout(patience)]);
  const waited = sim.now - arrive;
  if (!result.has(req)) {
    req.cancel();
    log(`${name}: reneged after ${waited.toFixed(3)}`);
    return;
  }
  log(`${name}: waited ${waited.toFixed(3)}`);
  yield sim.timeout(sim.rng('service').exponential(SERVICE_MEAN));
  counter.release(req);
  log(`${name}: finished`);
}

sim.process(function* source() {
  for (let i = 0; i < CUSTOMERS; i++) {
    sim.process(customer(`customer${String(i).padStart(2, '0')}`), { name: `customer${i}` });
    yield sim.timeout(sim.rng('arrivals').exponential(ARRIVAL_MEAN));
  }
});

const trace = startTrace(sim, { kinds: ['renege'] });
sim.run();

const s = counter.stats;
console.log('');
console.log(`customers served   ${s.departures} of ${s.arrivals}`);
console.log(`reneged            ${s.reneges} (trace: ${trace.records.map((r) => r.process).join(', ')})`);
console.log(`mean wait (served) ${s.waitingTime.mean.toFixed(3)} min`);
console.log(`utilization        ${(100 * (s.utilization ?? 0)).toFixed(1)} %`);
console.log(`mean queue length  ${s.queueLength.mean.toFixed(3)}`);
