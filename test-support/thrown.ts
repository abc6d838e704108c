// Test support shared by every package's tests (not shipped; tests may import it, see
// scripts/check-deps.mjs).
import { TwinkitError, type TwinkitErrorCode } from '@twinkit/core';
import { expect } from 'vitest';

/** The error `fn` throws, checked to be a TwinkitError (with `code`, when one is given). */
export function thrown(fn: () => unknown, code?: TwinkitErrorCode): TwinkitError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TwinkitError);
    if (code !== undefined) expect((error as TwinkitError).code).toBe(code);
    return error as TwinkitError;
  }
  throw new Error('expected an error');
}
