/**
 * twinkit system dynamics: XMILE import, compiled equations, Euler/RK/adaptive integration, coupled
 * to events.
 *
 * @module @twinkit/sd
 */
export * from './compiler';
export * from './coupling';
export * from './expression';
export * from './model';
export * from './names';
export * from './runner';
export * from './xmile';
