/**
 * A machine shop with preemptive repairs (after SimPy's classic "Machine Shop" example): machines
 * make parts and break down at random; one repairman fixes them with top priority, preempting the
 * less important jobs he does in between, which resume where they stopped.
 *
 *   npx tsx --conditions=@twinkit/source examples/des/machine-shop.ts
 */
import { Interrupt, Simulation } from '@twinkit/core';
import { Preempted, PreemptiveResource } from '@twinkit/des';

const MACHINES = 10;
const PT_MEAN = 10; // minutes per part
const PT_SIGMA = 2;
const MTTF = 300; // mean time to failure, minutes
const REPAIR_TIME = 30;
const JOB_DURATION = 30; // the repairman's other jobs
const WEEKS = 4;
const SIM_TIME = WEEKS * 7 * 24 * 60;

const sim = new Simulation({ seed: 42 });
const repairman = new PreemptiveResource(sim, { capacity: 1, name: 'shop.repairman' });
const partsMade: number[] = new Array(MACHINES).fill(0);
let otherJobsDone = 0;
let otherJobInterruptions = 0;

function timePerPart(): number {
  // A normal processing time, redrawn in the rare case it is not positive.
  for (;;) {
    const t = sim.rng('processing').normal(PT_MEAN, PT_SIGMA);
    if (t > 0) return t;
  }
}

function machine(index: number): void {
  let broken = false;
  const working = sim.process(
    function* () {
      for (;;) {
        let doneIn = timePerPart();
        while (doneIn > 0) {
          const start = sim.now;
          try {
            yield sim.timeout(doneIn);
            doneIn = 0;
          } catch (e) {
            if (!(e instanceof Interrupt)) throw e;
            broken = true;
            doneIn -= sim.now - start;
            // Ask for the repairman with top priority (preempting his other job).
            const req = repairman.request({ priority: 1 });
            yield req;
            yield sim.timeout(REPAIR_TIME);
            repairman.release(req);
            broken = false;
          }
        }
        partsMade[index]!++;
      }
    },
    { name: `machine${index}` },
  );
  sim.process(
    function* breakMachine() {
      for (;;) {
        yield sim.timeout(sim.rng('failures').exponential(MTTF));
        if (!broken) working.interrupt('failure');
      }
    },
    { name: `failures${index}` },
  );
}

for (let i = 0; i < MACHINES; i++) machine(i);

sim.process(
  function* otherJobs() {
    for (;;) {
      let doneIn = JOB_DURATION;
      while (doneIn > 0) {
        const req = repairman.request({ priority: 2, preempt: false });
        yield req;
        const start = sim.now;
        try {
          yield sim.timeout(doneIn);
          doneIn = 0;
          repairman.release(req);
        } catch (e) {
          if (!(e instanceof Interrupt && e.cause instanceof Preempted)) throw e;
          otherJobInterruptions++;
          doneIn -= sim.now - start;
        }
      }
      otherJobsDone++;
    }
  },
  { name: 'other-jobs' },
);

sim.run({ until: SIM_TIME });

console.log(`Machine shop results after ${WEEKS} weeks`);
for (let i = 0; i < MACHINES; i++) console.log(`  machine ${i} made ${partsMade[i]} parts.`);
const s = repairman.stats;
console.log(`Repairman busy            ${(100 * (s.utilization ?? 0)).toFixed(1)} % of the time`);
console.log(`Preemptions               ${s.preemptions}`);
console.log(`Other jobs done           ${otherJobsDone} (interrupted ${otherJobInterruptions} times)`);
console.log(
  `Mean wait for repairman   ${s.waitingTime.mean.toFixed(2)} min over ${s.waitingTime.count} requests`,
);
