/**
 * `npm run factory -- --redis URL`: the what-if study on a BullMQ queue. The twin sends the blocks of
 * replications to the queue with `bullmqExecutor`; `twinkit-worker` processes (started here with
 * `--redis-workers N`, or running on other machines against the same Redis) run them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TwinkitError } from '@twinkit/core';
import { type BullmqExecutor, bullmqExecutor } from '@twinkit/estimation/bullmq';

/** The worker command: the sources through tsx in this repository, the built bin elsewhere. */
function workerCommand(): string[] {
  const entry = import.meta.resolve('@twinkit/estimation/bullmq');
  if (entry.endsWith('.ts')) {
    return ['--import', 'tsx', '--conditions=@twinkit/source', fileURLToPath(new URL('./main.ts', entry))];
  }
  return [fileURLToPath(new URL('./twinkit-worker.js', entry))];
}

/** The queue of a run: the executor and the worker processes started for it. */
export interface FactoryQueue {
  readonly executor: BullmqExecutor;
  /** The process ids of the local workers. */
  pids(): number[];
  /** Stops the executor and the local workers. */
  close(): Promise<void>;
}

/** Starts `workers` local twinkit-worker processes on `queue` and an executor that feeds them. */
export async function startFactoryQueue(
  redis: string,
  queue: string,
  workers: number,
): Promise<FactoryQueue> {
  const children: ChildProcess[] = [];
  const command = workerCommand();
  const started = Array.from({ length: workers }, () => {
    const child = spawn(
      process.execPath,
      [...command, '--redis', redis, '--queue', queue, '--concurrency', '1'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let text = '';
    return new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        text += d.toString();
        if (text.includes('taking jobs')) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (d: Buffer) => {
        text += d.toString();
      });
      child.once('exit', (code) =>
        reject(
          new TwinkitError(
            `factory --redis: a twinkit-worker exited (code ${code}) before taking jobs: ${text.trim()}`,
            {
              code: 'IO',
            },
          ),
        ),
      );
    });
  });
  try {
    await Promise.all(started);
  } catch (error) {
    for (const c of children) c.kill('SIGKILL');
    throw error;
  }
  const executor = bullmqExecutor({ connection: redis, queue, batchSize: 5 });
  return {
    executor,
    pids: () => children.map((c) => c.pid).filter((pid): pid is number => pid !== undefined),
    async close() {
      await executor.close();
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
