/**
 * Test fixture: a model module that starts an experiment at import time (the mistake the
 * worker-side guard of runReplications reports).
 *
 * @internal
 */
import { defineModel } from '@twinkit/core';
import { runReplications } from '../../src/replications/run-replications';

export const selfRunning = defineModel(() => ({ value: 1 }), {
  name: 'selfRunning',
  module: import.meta.url,
});

/** The experiment that runs on import (top-level await); a worker's import must refuse it. */
export const experiment = await runReplications(selfRunning, {
  replications: 2,
  outputs: (sim) => ({ value: sim.model.value }),
  workers: 2,
});
