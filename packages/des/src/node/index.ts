/**
 * The Node-only part of twinkit discrete-event simulation: what writes to the file system.
 * `@twinkit/des` itself imports no `node:` module, so it bundles for a browser; import these from
 * `@twinkit/des/node` in Node.
 *
 * @module @twinkit/des/node
 */
export { type FileTraceSink, fileTraceSink } from './file-trace-sink';
