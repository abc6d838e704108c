/**
 * The `twinkit-worker` command line: takes blocks of replications from a BullMQ queue and runs them.
 */
import { availableParallelism } from 'node:os';
import { TwinkitError } from '@twinkit/core';
import { type QueueWorker, startQueueWorker } from './worker';

/** How to call it. */
export const USAGE = `Usage: twinkit-worker --redis URL --queue NAME [options]

Runs the replications a bullmqExecutor sends to the queue, on worker threads of this process.
The models' modules must be importable here (the same paths, or installed packages).

Options:
  --redis URL                Redis, e.g. redis://127.0.0.1:6379 (or TWINKIT_REDIS_URL)
  --queue NAME               the queue's name (or TWINKIT_QUEUE)
  --concurrency N            jobs at once, one thread each (default: one per core, ${availableParallelism()} here)
  --lock-duration-ms N       a dead worker's jobs go back after about this (default 30000)
  --stalled-interval-ms N    how often to look for stalled jobs (default 30000)
  --help                     this text
`;

/** Streams of a run (replaceable in tests). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

/** Parses the arguments; throws a TwinkitError naming what is wrong. */
export function parseWorkerArgs(argv: readonly string[], env: CliIo['env']) {
  const values: Record<string, string> = {};
  const known = ['--redis', '--queue', '--concurrency', '--lock-duration-ms', '--stalled-interval-ms'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { help: true as const };
    if (!known.includes(arg))
      throw new TwinkitError(`twinkit-worker: unknown option ${arg}.`, { code: 'INVALID_ARGUMENT' });
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--'))
      throw new TwinkitError(`twinkit-worker: ${arg} needs a value.`, { code: 'INVALID_ARGUMENT' });
    values[arg] = value;
    i++;
  }
  const redis = values['--redis'] ?? env.TWINKIT_REDIS_URL;
  const queue = values['--queue'] ?? env.TWINKIT_QUEUE;
  if (redis === undefined)
    throw new TwinkitError('twinkit-worker: --redis URL is required.', { code: 'INVALID_ARGUMENT' });
  if (queue === undefined)
    throw new TwinkitError('twinkit-worker: --queue NAME is required.', { code: 'INVALID_ARGUMENT' });
  const int = (flag: string) => {
    const text = values[flag];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1)
      throw new TwinkitError(`twinkit-worker: ${flag} must be a whole number >= 1, got ${text}.`, {
        code: 'INVALID_ARGUMENT',
      });
    return n;
  };
  const concurrency = int('--concurrency');
  const lockDurationMs = int('--lock-duration-ms');
  const stalledIntervalMs = int('--stalled-interval-ms');
  return {
    help: false as const,
    options: {
      connection: redis,
      queue,
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(lockDurationMs !== undefined ? { lockDurationMs } : {}),
      ...(stalledIntervalMs !== undefined ? { stalledIntervalMs } : {}),
    },
  };
}

/**
 * Runs the worker until SIGINT or SIGTERM (then finishes the jobs in hand); resolves with the exit
 * code: 0 after a clean stop, 2 for bad arguments, 1 when Redis cannot be reached.
 */
export async function runWorkerCli(
  argv: readonly string[],
  io: CliIo,
  signal?: AbortSignal,
): Promise<number> {
  let parsed: ReturnType<typeof parseWorkerArgs>;
  try {
    parsed = parseWorkerArgs(argv, io.env);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  let worker: QueueWorker;
  try {
    worker = await startQueueWorker(parsed.options);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n`);
    return error instanceof TwinkitError && error.code === 'IO' ? 1 : 2;
  }
  io.stdout.write(`twinkit-worker: taking jobs from queue '${parsed.options.queue}' (pid ${process.pid})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  await worker.close();
  const { completed, failed } = worker.stats();
  io.stdout.write(`twinkit-worker: stopped after ${completed} jobs (${failed} failed)\n`);
  return 0;
}
