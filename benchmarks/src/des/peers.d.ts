// Minimal typings of the parts of the peer libraries the DES benchmarks use (they ship none).

declare module 'js-simulator' {
  class SimEvent {
    constructor(rank?: number);
    update: (deltaTime: number) => void;
  }
  class Scheduler {
    scheduleOnceIn(event: SimEvent, deltaTime: number): void;
    hasEvents(): boolean;
    update(): SimEvent[];
  }
  /** The library is CommonJS without analyzable named exports: import the default object. */
  const jssim: { Scheduler: typeof Scheduler; SimEvent: typeof SimEvent };
  export default jssim;
}
