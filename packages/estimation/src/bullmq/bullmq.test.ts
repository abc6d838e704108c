import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, startWorker, type WorkerProcess } from '../../test/support/queue-workers';
import { arrivals, busyWork, failing, mm1, unexported } from '../../test/support/test-models';
import { compareScenarios } from '../replications/compare-scenarios';
import { runReplications } from '../replications/run-replications';
import { runWorkerCli } from './cli';
import { bullmqExecutor } from './executor';

// Against the real Redis on 127.0.0.1:6379 (`.ci/run` starts it when down) and real
// twinkit-worker processes; the restart test runs its own redis-server so it can kill it.
const REDIS = 'redis://127.0.0.1:6379';
const base = { arrivalRate: 0.5, serviceRate: 1, customers: 200, stationaryStart: true };
const outputs = (sim: { model: { waits: { mean: number } } }) => ({ meanWait: sim.model.waits.mean });
const name = () => `tk-${randomBytes(4).toString('hex')}`;

beforeAll(
  () =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: 6379 });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () =>
        reject(
          new Error(
            'These tests need Redis on 127.0.0.1:6379: start it with `redis-server --daemonize yes` (Debian package redis-server), or run .ci/run.',
          ),
        ),
      );
    }),
);

describe('bullmqExecutor with twinkit-worker processes', () => {
  const queue = name();
  let workers: WorkerProcess[] = [];
  beforeAll(async () => {
    workers = await Promise.all([
      startWorker(REDIS, queue),
      startWorker(REDIS, queue, ['--concurrency', '1']),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
  });

  it('gives the results of this thread to the bit, whatever the batch size and the order jobs finish in', async () => {
    const local = await runReplications(mm1, { replications: 30, seed: 3, params: base, outputs });
    for (const batchSize of [1, 4, 30]) {
      const executor = bullmqExecutor({ connection: REDIS, queue, batchSize });
      const progress: number[] = [];
      try {
        const remote = await runReplications(mm1, {
          replications: 30,
          seed: 3,
          params: base,
          outputs,
          executor,
          onProgress: (p) => progress.push(p.completed),
        });
        expect(remote).toEqual(local);
        expect(progress.at(-1)).toBe(30);
        expect(executor.stats()).toMatchObject({ sent: Math.ceil(30 / batchSize), failed: 0 });
      } finally {
        await executor.close();
      }
    }
  }, 60_000);

  it('runs scenarios from a snapshot (it travels in the job) with common random numbers and sequential stopping', async () => {
    const present = arrivals.create({ seed: 5, params: { rate: 2 } });
    present.run({ until: 10 });
    const from = present.snapshot();
    const scenarios = { slow: { rate: 1 }, fast: { rate: 3 } };
    const options = {
      scenarios,
      from,
      until: 20,
      replications: 12,
      outputs: (sim: { model: { count: number } }) => ({ n: sim.model.count }),
    };
    const executor = bullmqExecutor({ connection: REDIS, queue, batchSize: 5 });
    try {
      const local = await compareScenarios(arrivals, options);
      const remote = await compareScenarios(arrivals, { ...options, executor });
      expect(remote).toEqual(local);
      const stopping = { output: 'meanWait', relativePrecision: 0.1, minReplications: 5 };
      const seq = { replications: 200, seed: 9, params: base, outputs, stopping };
      const a = await runReplications(mm1, seq);
      const b = await runReplications(mm1, { ...seq, executor });
      expect(b).toEqual(a);
      expect(b.stoppedBy).toBe(a.stoppedBy);
    } finally {
      await executor.close();
    }
  }, 60_000);

  it('keeps two experiments that share a queue at once apart (two executors, as two twins would)', async () => {
    const a = bullmqExecutor({ connection: REDIS, queue, batchSize: 3 });
    const b = bullmqExecutor({ connection: REDIS, queue, batchSize: 2 });
    try {
      const [ra, rb] = await Promise.all([
        runReplications(mm1, { replications: 12, seed: 21, params: base, outputs, executor: a }),
        runReplications(mm1, {
          replications: 12,
          seed: 22,
          params: { ...base, serviceRate: 2 },
          outputs,
          executor: b,
        }),
      ]);
      expect(ra).toEqual(await runReplications(mm1, { replications: 12, seed: 21, params: base, outputs }));
      expect(rb).toEqual(
        await runReplications(mm1, {
          replications: 12,
          seed: 22,
          params: { ...base, serviceRate: 2 },
          outputs,
        }),
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);

  it("fails with the model's error and the replication, not a timeout; another experiment on the queue is unaffected", async () => {
    const executor = bullmqExecutor({ connection: REDIS, queue, batchSize: 2 });
    try {
      const bad = runReplications(failing, {
        replications: 10,
        params: { failAt: 7 },
        outputs: (sim: { model: { index: number } }) => ({ i: sim.model.index }),
        executor,
      });
      const good = runReplications(mm1, { replications: 10, seed: 1, params: base, outputs, executor });
      await expect(bad).rejects.toThrow(/replication 7 threw: the pump model broke in replication 7/);
      expect((await good).replications).toBe(10);
    } finally {
      await executor.close();
    }
  }, 60_000);

  it('refuses bad input with what to fix: a missing export, a snapshot of another model, a model without a module', async () => {
    const executor = bullmqExecutor({ connection: REDIS, queue });
    try {
      const renamed = Object.assign(Object.create(Object.getPrototypeOf(mm1)), mm1, { name: 'mm2' });
      await expect(
        runReplications(renamed, { replications: 4, seed: 1, params: base, outputs, executor }),
      ).rejects.toThrow(/has no model definition exported as 'mm2'/);
      const snapshot = arrivals.create({ seed: 1, params: { rate: 1 } }).snapshot();
      await expect(
        runReplications(busyWork, {
          replications: 4,
          from: snapshot,
          outputs: () => ({ x: 1 }),
          executor,
        } as never),
      ).rejects.toThrow(/snapshot hooks|snapshot of the model 'arrivals'/);
      await expect(
        runReplications(unexported, { replications: 4, outputs: () => ({ x: 1 }), executor }),
      ).rejects.toThrow(/with an executor the model must be defined with its export name and module URL/);
      await expect(
        runReplications(mm1, { replications: 4, params: base, outputs, executor, workers: 2 }),
      ).rejects.toThrow(/workers must be omitted with executor/);
    } finally {
      await executor.close();
    }
  }, 60_000);

  it('cancels: an aborted run rejects at once and its pending jobs leave the queue', async () => {
    // No worker listens on this queue, so every job is still waiting when the run is aborted.
    const idle = name();
    const executor = bullmqExecutor({ connection: REDIS, queue: idle, batchSize: 1, inFlight: 8 });
    const controller = new AbortController();
    const q = new Queue(idle, { connection: { host: '127.0.0.1', port: 6379 } });
    try {
      const run = runReplications(mm1, {
        replications: 50,
        seed: 1,
        params: base,
        outputs,
        executor,
        signal: controller.signal,
      });
      const rejected = expect(run).rejects.toMatchObject({ name: 'AbortError' });
      for (let i = 0; i < 100 && (await q.getWaitingCount()) < 8; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await q.getWaitingCount()).toBe(8);
      controller.abort();
      await rejected;
      for (let i = 0; i < 50 && (await q.getWaitingCount()) > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await q.getWaitingCount()).toBe(0);
      expect(executor.stats().withdrawn).toBe(8);
    } finally {
      await executor.close();
      await q.obliterate({ force: true });
      await q.close();
    }
  }, 30_000);
});

describe('faults', () => {
  it('recovers the job of a worker killed with SIGKILL mid-job: no replication lost or counted twice', async () => {
    const queue = name();
    const fast = ['--concurrency', '1', '--lock-duration-ms', '1000', '--stalled-interval-ms', '500'];
    const doomed = await startWorker(REDIS, queue, fast);
    const executor = bullmqExecutor({ connection: REDIS, queue, batchSize: 1, inFlight: 4 });
    const busy = {
      replications: 12,
      seed: 4,
      params: { draws: 3_000_000 },
      outputs: (sim: { model: { total: number } }) => ({ t: sim.model.total }),
    };
    let survivor: WorkerProcess | undefined;
    try {
      let done = 0;
      const run = runReplications(busyWork, { ...busy, executor, onProgress: (p) => (done = p.completed) });
      for (let i = 0; i < 400 && done < 2; i++) await new Promise((r) => setTimeout(r, 25));
      await doomed.kill(); // in the middle of a job: it holds one
      survivor = await startWorker(REDIS, queue, fast);
      const remote = await run;
      expect(remote).toEqual(await runReplications(busyWork, busy));
      expect(remote.outputs.t!.values).toHaveLength(12);
    } finally {
      await executor.close();
      await survivor?.stop();
      await doomed.kill();
    }
  }, 90_000);

  it('resumes after Redis restarts mid-experiment (jobs it lost are sent again), and fails clearly when Redis stays away', async () => {
    const redis = await startPrivateRedis();
    const queue = name();
    const worker = await startWorker(redis.url, queue, ['--concurrency', '1']);
    const executor = bullmqExecutor({
      connection: redis.url,
      queue,
      batchSize: 1,
      inFlight: 2,
      watchMs: 200,
    });
    const busy = {
      replications: 10,
      seed: 8,
      params: { draws: 2_000_000 },
      outputs: (sim: { model: { total: number } }) => ({ t: sim.model.total }),
    };
    try {
      let done = 0;
      const run = runReplications(busyWork, { ...busy, executor, onProgress: (p) => (done = p.completed) });
      for (let i = 0; i < 400 && done < 2; i++) await new Promise((r) => setTimeout(r, 25));
      await redis.kill();
      await new Promise((r) => setTimeout(r, 800));
      await redis.start(); // empty: it keeps nothing on disk
      const remote = await run;
      expect(remote).toEqual(await runReplications(busyWork, busy));
      expect(executor.stats().resent).toBeGreaterThan(0);

      await redis.kill();
      const stuck = bullmqExecutor({ connection: redis.url, queue, unreachableMs: 1000, watchMs: 100 });
      const started = Date.now();
      await expect(runReplications(busyWork, { ...busy, executor: stuck })).rejects.toThrow(
        /Redis has been unreachable for 1000 ms.*Start Redis, or check the connection option/,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      await stuck.close();
    } finally {
      await executor.close();
      await worker.kill();
      await redis.kill();
    }
  }, 90_000);

  it('twinkit-worker: bad arguments exit 2 with the usage; an unreachable Redis exits 1 saying so', async () => {
    const out: string[] = [];
    const io = {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => out.push(t) },
      env: {},
    };
    expect(await runWorkerCli(['--queue', 'q'], io)).toBe(2);
    expect(out.join('')).toMatch(/--redis URL is required[\s\S]*Usage: twinkit-worker/);
    out.length = 0;
    expect(await runWorkerCli(['--redis', REDIS, '--queue', 'q', '--concurrency', 'x'], io)).toBe(2);
    expect(out.join('')).toMatch(/--concurrency must be a whole number >= 1, got x/);
    out.length = 0;
    expect(await runWorkerCli(['--redis', 'redis://127.0.0.1:1', '--queue', 'q'], io)).toBe(1);
    expect(out.join('')).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  }, 60_000);
});
