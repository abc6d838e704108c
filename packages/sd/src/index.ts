/**
 * twinkit system dynamics: XMILE and Vensim import, compiled equations, Euler/RK/adaptive
 * integration, coupled to events.
 *
 * This entry point imports no `node:` module, so it bundles for a browser: read a model from its
 * XMILE text with `parseXmile`, or from Vensim `.mdl` text with `readVensim`. What reads files
 * lives in `@twinkit/sd/node`: `loadXmile(path)` and `loadVensim(path)`.
 *
 * @module @twinkit/sd
 */
export * from './compiler';
export * from './coupling';
export * from './expression';
export * from './model';
export * from './names';
export * from './runner';
export * from './vensim';
export * from './xmile';
