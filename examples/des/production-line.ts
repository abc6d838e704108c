/**
 * A two-stage production line with a buffer: stage 1 machines parts and puts them into a buffer of
 * limited size (blocking when it is full); stage 2 takes parts from the buffer (starving when it is
 * empty). The buffer's statistics show blocking and starvation; its observables are in the state
 * vector, where an estimator or a dashboard would read them.
 *
 *   npx tsx --conditions=@twinkit/source examples/des/production-line.ts
 */
import { Simulation } from '@twinkit/core';
import { Resource, Store } from '@twinkit/des';

const BUFFER_SIZE = 5;
const STAGE1_MEAN = 1.0; // minutes per part
const STAGE2_MEAN = 1.1;
const WARM_UP = 500;
const RUN = 10_000;

interface Part {
  id: number;
  started: number;
}

const sim = new Simulation({ seed: 7 });
const stage1 = new Resource(sim, { capacity: 1, name: 'line.stage1' });
const stage2 = new Resource(sim, { capacity: 1, name: 'line.stage2' });
const buffer = new Store<Part>(sim, { capacity: BUFFER_SIZE, name: 'line.buffer' });
let made = 0;
let cycleTimeSum = 0;

sim.process(
  function* firstStage() {
    for (let id = 0; ; id++) {
      const part: Part = { id, started: sim.now };
      const req = stage1.request();
      yield req;
      yield sim.timeout(sim.rng('stage1').exponential(STAGE1_MEAN));
      yield buffer.put(part); // blocked while the buffer is full: the machine stays occupied
      stage1.release(req);
    }
  },
  { name: 'stage1' },
);

sim.process(
  function* secondStage() {
    for (;;) {
      const part: Part = yield buffer.get(); // starved while the buffer is empty
      const req = stage2.request();
      yield req;
      yield sim.timeout(sim.rng('stage2').exponential(STAGE2_MEAN));
      stage2.release(req);
      made++;
      cycleTimeSum += sim.now - part.started;
    }
  },
  { name: 'stage2' },
);

sim.run({ until: WARM_UP });
for (const r of [stage1, stage2, buffer]) r.stats.reset();
made = 0;
cycleTimeSum = 0;
sim.run({ until: WARM_UP + RUN });

const b = buffer.stats;
console.log(`two-stage line, buffer of ${BUFFER_SIZE}, ${RUN} minutes after a warm-up of ${WARM_UP}`);
console.log(`throughput               ${(made / RUN).toFixed(4)} parts/min`);
console.log(`mean cycle time          ${(cycleTimeSum / made).toFixed(3)} min`);
console.log(
  `stage 1 occupied         ${(100 * (stage1.stats.utilization ?? 0)).toFixed(1)} % (incl. blocked)`,
);
console.log(`stage 2 busy             ${(100 * (stage2.stats.utilization ?? 0)).toFixed(1)} %`);
console.log(`buffer mean level        ${b.inUse.mean.toFixed(3)} of ${BUFFER_SIZE}`);
console.log(`stage 1 blocked per part ${b.putWaitingTime.mean.toFixed(3)} min (${b.puts} puts)`);
console.log(`stage 2 starved per part ${b.waitingTime.mean.toFixed(3)} min (${b.arrivals} gets)`);
const state = sim.state.toObject();
console.log(
  `state vector             ${Object.entries(state)
    .filter(([k]) => k.startsWith('line.buffer'))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`,
);
