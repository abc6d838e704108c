import type { RandomStream } from '@twinkit/core';
import { invalidArgument } from '@twinkit/core/internal';
import type { VectorLike } from '../linear-algebra/matrix-like';
import { readSampledMeasurement } from './sensors';

/**
 * Checks that `rng` is a RandomStream of @twinkit/core (sampling filters draw from one) and returns it.
 *
 * @internal
 */
export function requireRandomStream(api: string, rng: unknown, example: string): RandomStream {
  const candidate = rng as Partial<RandomStream> | undefined;
  if (typeof candidate?.next !== 'function' || typeof candidate?.normal !== 'function') {
    throw invalidArgument(api, 'rng must be a RandomStream of @twinkit/core', rng, `Pass ${example}.`);
  }
  return rng as RandomStream;
}

/**
 * What the particle filter and the ensemble Kalman filter share: the step and time counters, the
 * mean and covariance of their {@link SampleFilter.estimate}, the check of a predict step's dt and
 * of an update's reading, and the record of a missing one.
 *
 * Internal: not exported from the package, and hidden from the API docs. It is tagged hidden, not
 * internal, because the build strips internal declarations from the .d.ts files (stripInternal), and
 * the declarations of the public filters extend this class.
 *
 * @hidden
 */
export abstract class SampleFilter {
  /** @internal */
  protected stepCount = 0;
  /** @internal */
  protected clock = 0;

  /** Returns the mean of the estimate (`estimate().x`). */
  get x(): number[] {
    return this.estimate().x;
  }

  /** Returns the covariance of the estimate (`estimate().P`). */
  get P(): number[][] {
    return this.estimate().P;
  }

  /** Returns the number of predict steps taken. */
  get step(): number {
    return this.stepCount;
  }

  /** Returns the filter time. */
  get time(): number {
    return this.clock;
  }

  /** Returns the mean and covariance of the samples. */
  abstract estimate(): { x: number[]; P: number[][] };

  /** Returns the time step of a predict (`dt`, or `fallback` when it is omitted), checked to be >= 0. @internal */
  protected readStep(api: string, dt: unknown, fallback: number): number {
    const step = dt === undefined ? fallback : dt;
    if (typeof step !== 'number' || !Number.isFinite(step) || step < 0) {
      throw invalidArgument(api, 'dt must be a finite number >= 0', dt, 'Filters only move forward in time.');
    }
    return step;
  }

  /** Counts a predict step of `dt`. @internal */
  protected finishStep(dt: number): void {
    this.stepCount++;
    this.clock += dt;
  }

  /** The result of an update without a reading. @internal */
  protected missing(sensor: string): { kind: 'missing'; step: number; time: number; sensor: string } {
    return { kind: 'missing', step: this.stepCount, time: this.clock, sensor };
  }

  /** Reads an update's reading `z` of a sensor measuring `m` components (-1: any). @internal */
  protected readReading(api: string, z: VectorLike, m: number, sensor: string): Float64Array {
    return readSampledMeasurement(api, z, m, sensor, this.clock, 'Pass null for a missing reading.');
  }
}
