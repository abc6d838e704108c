/**
 * Does a model slow down once many kinds of event have passed through the kernel?
 *
 * V8 specialises a function to the object shapes it has seen; past four shapes a property access or
 * definition goes megamorphic. Every event class (Timeout, Process, Condition, Request, StorePut,
 * StoreGet, ...) runs the base Event constructor, so a hybrid model that uses many of them must not
 * fall off the fast path there (class-field initializers did: a mix of event kinds made a Store
 * pipeline up to 9x slower). Megamorphism is global to a process, so the two contenders run in
 * child processes of their own: the M/M/1 model with `Resource` in a fresh process, and the same
 * model in a process that first ran a model using eight other event classes. Measured here: 0.15x
 * with field initializers in Event and ResourceEvent, 0.66x with the fields assigned in their
 * constructors (the rest is megamorphic reads spread over the kernel, no single hot spot).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Simulation } from '@twinkit/core';
import { Container, PriorityResource, Resource, Store } from '@twinkit/des';
import { type BenchCase, compareRates, rateResult } from '../harness';
import { mm1Twinkit } from './mm1.bench';

/** Runs a small model that creates events of many classes (the "other event kinds"). */
function useManyEventKinds(): void {
  const sim = new Simulation({ seed: 3 });
  const store = new Store<number>(sim);
  const tank = new Container(sim, { capacity: 100, initial: 50 });
  const desk = new PriorityResource(sim, { capacity: 1 });
  const bay = new Resource(sim, { capacity: 2 });
  sim.process(function* () {
    for (let i = 0; i < 20_000; i++) {
      const signal = sim.event();
      sim.schedule(1, () => signal.succeed());
      yield sim.allOf([signal, sim.timeout(1)]);
      yield store.put(i);
      yield sim.anyOf([store.get(), sim.timeout(2)]);
      yield tank.put(1);
      yield tank.get(1);
      const r = desk.request({ priority: i % 3 });
      yield r;
      desk.release(r);
      const b = bay.request();
      yield b;
      bay.release(b);
      yield sim.process(function* () {
        yield sim.timeout(0.5);
      });
    }
  });
  sim.run();
}

/** In a child process: optionally run the mixed model, then report the M/M/1 rate on stdout. */
function child(mode: string, customers: number, rounds: number): void {
  if (mode === 'mixed') useManyEventKinds();
  const rates = compareRates({ mm1: { work: customers, fn: () => mm1Twinkit(customers) } }, { rounds });
  process.stdout.write(`${JSON.stringify({ rate: rates.mm1 })}\n`);
}

const self = fileURLToPath(import.meta.url);
const childArg = process.argv.indexOf('--event-kinds-child');
if (childArg >= 0) {
  const [mode, customers, rounds] = process.argv.slice(childArg + 1);
  child(mode!, Number(customers), Number(rounds));
}

/** Runs one child (same Node flags, so tsx and the source condition apply) and returns its rate. */
function rateInChild(mode: 'fresh' | 'mixed', customers: number, rounds: number): number {
  const run = spawnSync(
    process.execPath,
    [...process.execArgv, self, '--event-kinds-child', mode, String(customers), String(rounds)],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`event-kinds child (${mode}) failed: ${run.stderr}`);
  const last = run.stdout.trim().split('\n').pop()!;
  return (JSON.parse(last) as { rate: number }).rate;
}

export const cases: BenchCase[] = [
  {
    suite: 'des',
    name: 'mm1-after-many-event-kinds',
    run({ quick }) {
      const customers = quick ? 20_000 : 100_000;
      const rounds = quick ? 2 : 4;
      // Alternate the two children and keep the best of each, as compareRates does in-process.
      let fresh = 0;
      let mixed = 0;
      for (let i = 0; i < (quick ? 2 : 3); i++) {
        fresh = Math.max(fresh, rateInChild('fresh', customers, rounds));
        mixed = Math.max(mixed, rateInChild('mixed', customers, rounds));
      }
      return [
        rateResult(
          'des',
          'mm1-after-many-event-kinds',
          'customers/s',
          'customers/s',
          mixed,
          { name: 'same model in a fresh process', value: fresh },
          {
            goal: 0.5,
            note: 'M/M/1 with Resource after a model using Timeout, Process, Condition, Event, Request, PriorityRequest, StorePut/Get and ContainerPut/Get ran in the same process',
          },
        ),
      ];
    },
  },
];
