// The README's quickstart: a machine that wears while it works, a repair crew, and a what-if fork.
// Run it: npm run quickstart
import { defineModel, Tally } from '@twinkit/core';

const plant = defineModel((sim, p: { wearPerHour: number }) => {
  const repairs = new Tally('repair hours');
  sim.state.define('machine.health', { initial: 1 });
  sim.process(function* () {
    for (;;) {
      yield sim.timeout(1); // one hour of work
      const health = sim.state.get('machine.health') - sim.rng('wear').exponential(p.wearPerHour);
      if (health > 0.2) {
        sim.state.set('machine.health', health);
        continue;
      }
      const hours = sim.rng('repair').triangular(2, 4, 8);
      repairs.add(hours);
      yield sim.timeout(hours);
      sim.state.set('machine.health', 1);
    }
  });
  return { repairs };
});

const live = plant.create({ seed: 42, params: { wearPerHour: 0.01 } });
live.run({ until: 24 * 30 });
const health = live.state.get('machine.health');
console.log(`after 30 days: health ${health.toFixed(3)}, repairs so far: ${live.model.repairs.count}`);

// What could the next week bring? Fork the live model and simulate forward on new random numbers.
for (const replication of [1, 2, 3]) {
  const future = live.fork({ replication });
  future.run({ until: 24 * 37 });
  console.log(
    `possible next week ${replication}: repairs ${future.model.repairs.count - live.model.repairs.count}`,
  );
}
