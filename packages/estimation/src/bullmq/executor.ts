/**
 * `bullmqExecutor`: runs the blocks of replications of runReplications and compareScenarios as jobs
 * of a BullMQ queue on Redis, for `twinkit-worker` processes on any number of machines. BullMQ does
 * the scheduling, the retries of jobs whose worker died (stalled-job recovery) and the bookkeeping;
 * this file only maps a block to a job and a job's outcome back to the block.
 */
import { randomBytes } from 'node:crypto';
import { TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { ReplicationRecord, ReplicationTask } from '../replications/replication-task';
import type { ReplicationExecutor } from '../replications/run-replications';
import { checkQueueName, type RedisConnection, resolveConnection } from './connection';

/** Options of {@link bullmqExecutor}. */
export interface BullmqExecutorOptions {
  /** Redis: a URL (`redis://127.0.0.1:6379`) or `{ host, port, username, password, db }`. */
  readonly connection: RedisConnection;
  /** The queue's name; the workers must listen on the same one (`twinkit-worker --queue NAME`). */
  readonly queue: string;
  /** Replications per job (default 10): larger batches cost less queue overhead, smaller ones spread better. */
  readonly batchSize?: number;
  /** Jobs a run keeps on the queue at once (default 32). */
  readonly inFlight?: number;
  /**
   * How long Redis may stay unreachable before the runs waiting on it fail (default 30,000 ms):
   * an experiment resumes after a short outage and fails with a clear error after a long one,
   * never hangs.
   */
  readonly unreachableMs?: number;
  /** How often pending jobs are checked for loss (a Redis restarted without persistence), ms (default 1000). */
  readonly watchMs?: number;
}

/** The executor, with what it has done. */
export interface BullmqExecutor extends ReplicationExecutor {
  /** Counters: jobs sent, completed, failed, re-sent after Redis lost them, withdrawn on abort. */
  stats(): { sent: number; completed: number; failed: number; resent: number; withdrawn: number };
}

/** What a job carries: the block, and who sent it. */
export interface ReplicationJobData {
  /** The block of replications (its `tsxApi` is set by the worker, for its own machine). */
  readonly task: ReplicationTask;
  /** The executor that sent it (jobs of several executors share a queue and stay apart). */
  readonly sender: string;
}

interface Pending {
  readonly id: string;
  readonly data: ReplicationJobData;
  readonly resolve: (records: ReplicationRecord[]) => void;
  readonly reject: (error: unknown) => void;
  resent: number;
}

const OPTION_KEYS = ['connection', 'queue', 'batchSize', 'inFlight', 'unreachableMs', 'watchMs'];
/** Times a job lost by Redis is sent again before the run fails. */
const MAX_RESENDS = 3;

/**
 * Creates an executor that sends the blocks of replications to a BullMQ queue on Redis, where
 * `twinkit-worker --redis URL --queue NAME` processes on any machine that has the model's module
 * run them. Pass it as `executor` to `runReplications` or `compareScenarios`: seeds, replication
 * indices, `from` snapshots (they travel in the job), common random numbers, sequential stopping,
 * progress and cancellation work as on worker threads, and the results are bit-identical to a run
 * on this thread whatever the number of workers, the batch size or the order jobs finish in.
 *
 * @example
 * ```ts fragment
 * import { bullmqExecutor } from '@twinkit/estimation/bullmq';
 * const executor = bullmqExecutor({ connection: 'redis://127.0.0.1:6379', queue: 'twinkit' });
 * try {
 *   const results = await runReplications(queue, { replications: 100, until: 1000, executor, outputs });
 * } finally {
 *   await executor.close();
 * }
 * ```
 */
export function bullmqExecutor(options: BullmqExecutorOptions): BullmqExecutor {
  const api = 'bullmqExecutor(options)';
  if (options === null || typeof options !== 'object')
    throw invalidArgument(api, 'options must be { connection, queue, batchSize? }', options);
  rejectUnknownKeys(api, options, OPTION_KEYS, "{ connection: 'redis://127.0.0.1:6379', queue: 'twinkit' }");
  const { options: connection, name: where } = resolveConnection(api, options.connection);
  const queueName = checkQueueName(api, options.queue);
  const integer = (
    key: 'batchSize' | 'inFlight' | 'unreachableMs' | 'watchMs',
    fallback: number,
    min: number,
  ) => {
    const value = options[key] ?? fallback;
    if (!Number.isInteger(value) || value < min)
      throw invalidArgument(api, `${key} must be an integer >= ${min}`, value);
    return value;
  };
  const batchSize = integer('batchSize', 10, 1);
  const inFlight = integer('inFlight', 32, 1);
  const unreachableMs = integer('unreachableMs', 30_000, 100);
  const watchMs = integer('watchMs', 1000, 10);
  const name = `bullmq queue '${queueName}' at ${where}`;
  const sender = randomBytes(6).toString('hex');

  // Connections are made on first use, so creating an executor never throws for an unreachable
  // Redis: the first run fails with a clear error instead, within `unreachableMs`.
  let queue: Queue | undefined;
  let events: QueueEvents | undefined;
  let watch: ReturnType<typeof setInterval> | undefined;
  let lastError: string | undefined;
  let unreachableSince: number | undefined;
  let counter = 0;
  let closed = false;
  const pending = new Map<string, Pending>();
  const stats = { sent: 0, completed: 0, failed: 0, resent: 0, withdrawn: 0 };

  const unreachable = () =>
    new TwinkitError(
      `${name}: Redis has been unreachable for ${unreachableMs} ms (${lastError ?? 'no answer'}). Start Redis, or check the connection option (host, port, password).`,
      { code: 'IO', details: { queue: queueName, redis: where } },
    );

  const settle = (id: string, outcome: { records?: ReplicationRecord[]; error?: unknown }) => {
    const p = pending.get(id);
    if (p === undefined) return;
    pending.delete(id);
    if (outcome.error !== undefined) {
      stats.failed += 1;
      p.reject(outcome.error);
    } else {
      stats.completed += 1;
      p.resolve(outcome.records as ReplicationRecord[]);
    }
  };

  /** Settles a completed job with its records, or with an error if what it returned is not a block. */
  const settleCompleted = (id: string, job: Job) => {
    const records: unknown = job.returnvalue;
    if (Array.isArray(records)) settle(id, { records: records as ReplicationRecord[] });
    else
      settle(id, {
        error: new TwinkitError(
          `${name}: job ${id} completed without a block of replications (it returned ${formatValue(records)}). Is a worker of another program consuming this queue? Give each experiment its own queue name.`,
          { code: 'UNHANDLED_FAILURE', details: { job: id, queue: queueName } },
        ),
      });
  };

  const failure = (id: string, reason: string) =>
    new TwinkitError(`${name}: job ${id} failed on a worker: ${reason}`, {
      code: 'UNHANDLED_FAILURE',
      details: { job: id, queue: queueName },
    });

  /** Looks at every pending job: done while an event was missed, lost by Redis, or still on its way. */
  let inspecting = false;
  const inspect = async () => {
    if (queue === undefined || inspecting) return;
    inspecting = true;
    try {
      await inspectPending(queue);
    } finally {
      inspecting = false;
    }
  };
  const inspectPending = async (queue: Queue) => {
    const status = await Promise.race([
      queue.client.then((c) => c.status),
      new Promise<string>((r) => setTimeout(() => r('no answer'), watchMs)),
    ]);
    if (status !== 'ready') {
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince >= unreachableMs)
        for (const id of [...pending.keys()]) settle(id, { error: unreachable() });
      return;
    }
    unreachableSince = undefined;
    for (const p of [...pending.values()]) {
      let job: Job | undefined;
      try {
        job = await Job.fromId(queue, p.id);
      } catch {
        return; // Redis went away meanwhile: the next look decides.
      }
      if (job === undefined || job === null) {
        // Redis lost the job (restarted without persistence): send it again, a few times at most.
        if (p.resent >= MAX_RESENDS) {
          settle(p.id, {
            error: new TwinkitError(
              `${name}: job ${p.id} was lost by Redis ${MAX_RESENDS + 1} times (is Redis restarting, or evicting keys?). Give Redis persistence or memory, then run again.`,
              { code: 'IO', details: { job: p.id } },
            ),
          });
          continue;
        }
        p.resent += 1;
        stats.resent += 1;
        await send(p).catch(() => {});
        continue;
      }
      const state = await job.getState().catch(() => 'unknown');
      if (state === 'completed' || state === 'failed') {
        // `job` was read before its state: a job that finished in between holds no return value
        // or reason yet. Read it again now that it is finished.
        const done = await Job.fromId(queue, p.id).catch(() => undefined);
        if (done === undefined || done === null) continue; // removed or Redis away: the next look decides
        if (state === 'completed') settleCompleted(p.id, done);
        else settle(p.id, { error: failure(p.id, done.failedReason) });
      }
    }
  };

  // Reconnect while the executor is open (ioredis's own loop); stop once it is closed, so that
  // closing never waits for a Redis that is away.
  const reconnecting = {
    ...connection,
    retryStrategy: (times: number) => (closed ? null : Math.min(100 * 2 ** Math.min(times, 5), 2000)),
  };
  const connect = () => {
    if (queue !== undefined) return queue;
    queue = new Queue(queueName, { connection: reconnecting });
    events = new QueueEvents(queueName, { connection: reconnecting });
    const onError = (error: Error) => {
      lastError = error.message;
    };
    queue.on('error', onError);
    events.on('error', onError);
    events.on('completed', ({ jobId }) => {
      if (!pending.has(jobId) || queue === undefined) return;
      // The event carries the return value as text; read the job to get it as BullMQ stored it.
      Job.fromId(queue, jobId).then(
        (job) => {
          if (job) settleCompleted(jobId, job);
        },
        () => {},
      );
    });
    events.on('failed', ({ jobId, failedReason }) => {
      if (pending.has(jobId)) settle(jobId, { error: failure(jobId, failedReason) });
    });
    watch = setInterval(() => void inspect(), watchMs);
    return queue;
  };

  const send = async (p: Pending) => {
    const q = connect();
    await q.add('replications', p.data, {
      jobId: p.id,
      attempts: 1,
      removeOnComplete: { age: 600 },
      removeOnFail: { age: 3600 },
    });
  };

  return {
    name,
    inFlight,
    batchSize,
    run(task, { signal }) {
      if (closed)
        return Promise.reject(
          new TwinkitError(`${name}: the executor is closed.`, { code: 'INVALID_STATE' }),
        );
      counter += 1;
      const id = `${sender}.${counter}`;
      return new Promise<ReplicationRecord[]>((resolve, reject) => {
        const p: Pending = {
          id,
          data: { task: { ...task, tsxApi: undefined }, sender },
          resolve,
          reject,
          resent: 0,
        };
        pending.set(id, p);
        signal?.addEventListener(
          'abort',
          () => {
            if (!pending.has(id)) return;
            pending.delete(id);
            stats.withdrawn += 1;
            // A job not yet taken is removed; one running finishes and its result is ignored.
            if (queue !== undefined) void queue.remove(id).catch(() => 0);
            reject(signal.reason);
          },
          { once: true },
        );
        stats.sent += 1;
        send(p).catch((error: unknown) => {
          lastError = (error as Error).message;
          // The watchdog sends it again once Redis answers, or fails it after unreachableMs.
          unreachableSince ??= Date.now();
        });
      });
    },
    stats: () => ({ ...stats }),
    async close() {
      if (closed) return;
      closed = true;
      if (watch !== undefined) clearInterval(watch);
      for (const id of [...pending.keys()])
        settle(id, {
          error: new TwinkitError(`${name}: the executor was closed while the run waited.`, {
            code: 'INVALID_STATE',
          }),
        });
      // A graceful close waits for Redis; when it is away, drop the connections instead.
      const graceful = Promise.allSettled([events?.close(), queue?.close()]);
      const gone = await Promise.race([
        graceful.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), unreachableSince === undefined ? 2000 : 0)),
      ]);
      if (gone) {
        const drop = Promise.allSettled([events?.disconnect(), queue?.disconnect()]);
        await Promise.race([drop, new Promise((r) => setTimeout(r, 1000))]);
      }
    },
  };
}
