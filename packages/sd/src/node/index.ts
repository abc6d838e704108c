/**
 * The Node-only part of twinkit system dynamics: what reads the file system. `@twinkit/sd` itself
 * imports no `node:` module, so it bundles for a browser (read XMILE text there with `parseXmile`);
 * import these from `@twinkit/sd/node` in Node.
 *
 * @module @twinkit/sd/node
 */
export { type LoadVensimOptions, loadVensim } from './load-vensim';
export { loadXmile } from './load-xmile';
