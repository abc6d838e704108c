/**
 * Replications and scenarios on a BullMQ queue (Redis): `bullmqExecutor` sends the blocks of a run
 * to the queue, `startQueueWorker` (the `twinkit-worker` command) runs them on any machine.
 *
 * @module @twinkit/estimation/bullmq
 */
export type { RedisConnection } from './connection';
export {
  type BullmqExecutor,
  type BullmqExecutorOptions,
  bullmqExecutor,
  type ReplicationJobData,
} from './executor';
export { type QueueWorker, type QueueWorkerOptions, startQueueWorker } from './worker';
