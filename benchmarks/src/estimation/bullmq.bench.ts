/**
 * Replications on a BullMQ queue (the real Redis on 127.0.0.1:6379) against the same work elsewhere,
 * in the same process:
 * - `bullmq-workers`: the factory what-if (3 crews × 100 replications, 30 days; quick: × 10, 5 days)
 *   on 1 and on 2 twinkit-worker processes (one job at a time each); ratio = 2 over 1. The workers
 *   are started and warmed (model loaded, JIT) before the clock starts; their CPU time (from /proc)
 *   is given beside the wall time.
 * - `bullmq-overhead`: a tiny model through the queue (1 worker process) against a kept pool of 1
 *   worker thread: what the queue costs per replication.
 * - `monte-carlo-threads-warm`: the local executor's own speed-up with the start-up taken out:
 *   1 thread (the main one) against 2 kept worker threads, both warm.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { runReplications, startReplicationWorkers } from '@twinkit/estimation';
import { DEFAULTS } from '../../../examples/factory/params';
import { startFactoryQueue } from '../../../examples/factory/queue';
import { whatIf } from '../../../examples/factory/twin';
import { type BenchCase, type BenchResult, rateResult } from '../harness';
import { cpuBound } from './cpu-model';

const REDIS = 'redis://127.0.0.1:6379';

function redisUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 6379 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const skipped = (name: string): BenchResult[] => [
  {
    suite: 'estimation',
    case: name,
    metric: 'SKIPPED: no Redis on 127.0.0.1:6379',
    value: 0,
    unit: '-',
    reference: null,
    ratio: null,
    note: 'skipped: start redis-server',
  },
];

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat; after "pid (comm) " they are at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const t0 = performance.now();
  const result = await fn();
  return { result, seconds: (performance.now() - t0) / 1000 };
}

export const cases: BenchCase[] = [
  {
    suite: 'estimation',
    name: 'bullmq-workers',
    async run({ quick }) {
      if (!(await redisUp())) return skipped('bullmq-workers');
      const settings = {
        scenarios: [4, 5, 6],
        replications: quick ? 10 : 100,
        whatIfDays: quick ? 5 : 30,
        workers: 1,
        seed: 2026,
      };
      const rates: Record<number, { wall: number; cpu: number }> = {};
      for (const processes of [1, 2]) {
        const queue = await startFactoryQueue(REDIS, `bench-${randomBytes(4).toString('hex')}`, processes);
        try {
          // Warm every worker: the model's module loaded in its thread, the JIT settled.
          await whatIf(
            DEFAULTS,
            { ...settings, replications: 2 * processes, whatIfDays: 1 },
            undefined,
            undefined,
            queue.executor,
          );
          const pids = queue.pids();
          const cpu0 = pids.reduce((s, pid) => s + processCpuSeconds(pid), 0);
          const { seconds } = await timed(() =>
            whatIf(DEFAULTS, settings, undefined, undefined, queue.executor),
          );
          const cpu = pids.reduce((s, pid) => s + processCpuSeconds(pid), 0) - cpu0;
          const total = settings.scenarios.length * settings.replications;
          rates[processes] = { wall: total / seconds, cpu: cpu / seconds };
        } finally {
          await queue.close();
        }
      }
      const one = rates[1]!;
      const two = rates[2]!;
      return [
        rateResult(
          'estimation',
          'bullmq-workers',
          'factory what-if replications/s, 2 worker processes',
          'replications/s',
          two.wall,
          { name: '1 worker process', value: one.wall },
          {
            ...(quick ? {} : { goal: 1.8 }),
            note: `3 crews × ${settings.replications} replications of ${settings.whatIfDays} days through Redis; wall time, workers warm; worker CPU busy ${one.cpu.toFixed(2)} cores (1 process), ${two.cpu.toFixed(2)} cores (2 processes)`,
          },
        ),
      ];
    },
  },
  {
    suite: 'estimation',
    name: 'bullmq-overhead',
    async run({ quick }) {
      if (!(await redisUp())) return skipped('bullmq-overhead');
      const replications = quick ? 100 : 1000;
      const options = {
        replications,
        seed: 1,
        params: { draws: 1000 },
        outputs: (sim: { model: { mean: number } }) => ({ mean: sim.model.mean }),
        blockSize: 10,
      };
      const queue = await startFactoryQueue(REDIS, `bench-${randomBytes(4).toString('hex')}`, 1);
      const pool = startReplicationWorkers(cpuBound, { workers: 1 });
      try {
        await runReplications(cpuBound, { ...options, replications: 20, executor: queue.executor });
        await runReplications(cpuBound, { ...options, replications: 20, pool });
        const viaQueue = await timed(() =>
          runReplications(cpuBound, { ...options, executor: queue.executor }),
        );
        const viaThread = await timed(() => runReplications(cpuBound, { ...options, pool }));
        if (JSON.stringify(viaQueue.result) !== JSON.stringify(viaThread.result))
          throw new Error('bullmq-overhead: the queue and the thread gave different results');
        return [
          rateResult(
            'estimation',
            'bullmq-overhead',
            'tiny replications/s through the queue (1 worker process)',
            'replications/s',
            replications / viaQueue.seconds,
            { name: '1 kept worker thread', value: replications / viaThread.seconds },
            {
              note: `${replications} replications of 1000 draws in jobs of 10; per replication the queue costs ${((1000 * (viaQueue.seconds - viaThread.seconds)) / replications).toFixed(3)} ms more than a thread`,
            },
          ),
        ];
      } finally {
        await pool.close();
        await queue.close();
      }
    },
  },
  {
    suite: 'estimation',
    name: 'monte-carlo-threads-warm',
    async run({ quick }) {
      const replications = quick ? 16 : 96;
      const draws = quick ? 1_000_000 : 4_000_000;
      const options = {
        replications,
        seed: 1,
        params: { draws },
        outputs: (sim: { model: { mean: number } }) => ({ mean: sim.model.mean }),
      };
      const pool = startReplicationWorkers(cpuBound, { workers: 2 });
      try {
        // Both warm: the main thread's JIT and the pool's threads (module loaded, compiled).
        await runReplications(cpuBound, { ...options, replications: 2, params: { draws: 200_000 } });
        await runReplications(cpuBound, { ...options, replications: 4, params: { draws: 200_000 }, pool });
        const one = await timed(() => runReplications(cpuBound, options));
        const two = await timed(() => runReplications(cpuBound, { ...options, pool }));
        return [
          rateResult(
            'estimation',
            'monte-carlo-threads-warm',
            'replications/s on 2 kept worker threads',
            'replications/s',
            replications / two.seconds,
            { name: 'the main thread', value: replications / one.seconds },
            {
              ...(quick ? {} : { goal: 1.7 }),
              note: `${replications} replications of ${draws} draws; no start-up in either (startReplicationWorkers, warmed)`,
            },
          ),
        ];
      } finally {
        await pool.close();
      }
    },
  },
];
