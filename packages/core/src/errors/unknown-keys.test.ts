import { describe, expect, it } from 'vitest';
import { thrown } from '../../../../test-support/thrown';
import { closestMatch, rejectUnknownKeys } from './unknown-keys';

const KNOWN = ['capacity', 'initial', 'name', 'queueCapacity'] as const;
const API = 'new Container(sim, options)';

describe('rejectUnknownKeys', () => {
  it('accepts known keys, an empty object and undefined', () => {
    expect(() => rejectUnknownKeys(API, { capacity: 5, initial: 3 }, KNOWN)).not.toThrow();
    expect(() => rejectUnknownKeys(API, {}, KNOWN)).not.toThrow();
    expect(() => rejectUnknownKeys(API, undefined, KNOWN)).not.toThrow();
    // A known key set to undefined is still a known key.
    expect(() => rejectUnknownKeys(API, { name: undefined }, KNOWN)).not.toThrow();
  });

  it('names the API, the key, its value, the known keys and the closest match', () => {
    const error = thrown(() => rejectUnknownKeys(API, { capacity: 5, init: 3 }, KNOWN));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(
      "new Container(sim, options): unknown option 'init' (given 3); the options are 'capacity', 'initial', 'name' and 'queueCapacity'. Did you mean 'initial'?",
    );
    expect(error.details).toEqual({
      key: 'init',
      value: 3,
      known: [...KNOWN],
      suggestion: 'initial',
    });
  });

  it('suggests for typos, swapped letters and case; says to remove a key nothing is close to', () => {
    expect(thrown(() => rejectUnknownKeys(API, { capcity: 5 }, KNOWN)).message).toMatch(
      /unknown option 'capcity' \(given 5\).*Did you mean 'capacity'\?$/,
    );
    expect(thrown(() => rejectUnknownKeys(API, { naem: 'a' }, KNOWN)).message).toMatch(
      /unknown option 'naem' \(given "a"\).*Did you mean 'name'\?$/,
    );
    expect(thrown(() => rejectUnknownKeys(API, { QueueCapacity: 2 }, KNOWN)).message).toMatch(
      /Did you mean 'queueCapacity'\?$/,
    );
    expect(thrown(() => rejectUnknownKeys(API, { colour: 'red' }, KNOWN)).message).toMatch(
      /unknown option 'colour' \(given "red"\); the options are .*\. Remove it, or use one of the known options\.$/,
    );
  });

  it('refuses options that are not an object, with an example when given one', () => {
    const error = thrown(() =>
      rejectUnknownKeys('Simulation.run(options)', 100, ['until'], '{ until: 100 }'),
    );
    expect(error.message).toBe(
      "Simulation.run(options): options must be an object (known keys: 'until'), got 100. Pass for example { until: 100 }.",
    );
    for (const bad of [null, [1], 'fast']) {
      expect(() => rejectUnknownKeys(API, bad, KNOWN)).toThrow(/options must be an object/);
    }
  });

  it('checks inherited enumerable keys too, and says when an API takes no options', () => {
    const options = Object.create({ inherited: 1 }) as object;
    expect(() => rejectUnknownKeys(API, options, KNOWN)).toThrow(/unknown option 'inherited'/);
    expect(() => rejectUnknownKeys('f(options)', { a: 1 }, [])).toThrow(
      /unknown option 'a' \(given 1\); it takes no options\. Pass no options\.$/,
    );
  });
});

describe('closestMatch', () => {
  it('picks the nearest spelling within the length-dependent limit', () => {
    expect(closestMatch('capcity', KNOWN)).toBe('capacity');
    expect(closestMatch('capacty', KNOWN)).toBe('capacity');
    expect(closestMatch('queuecap', KNOWN)).toBe('queueCapacity');
    expect(closestMatch('init', KNOWN)).toBe('initial');
    expect(closestMatch('nam', KNOWN)).toBe('name');
    expect(closestMatch('seeds', ['seed', 'startTime'])).toBe('seed');
    expect(closestMatch('untill', ['until'])).toBe('until');
  });

  it('returns undefined when nothing is plausibly meant', () => {
    expect(closestMatch('colour', KNOWN)).toBeUndefined();
    expect(closestMatch('x', ['y'])).toBe('y'); // one letter off in a one-letter word is still a typo
    expect(closestMatch('ab', ['xy'])).toBeUndefined();
    expect(closestMatch('anything', [])).toBeUndefined();
  });

  it('prefers a close spelling to a prefix, and the earlier candidate on a tie', () => {
    expect(closestMatch('rate', ['rates', 'rated'])).toBe('rates');
    expect(closestMatch('in', ['initial'])).toBeUndefined(); // prefixes need 3 letters
    expect(closestMatch('precision', ['output', 'relativePrecision'])).toBe('relativePrecision');
    expect(closestMatch('ision', ['relativePrecision', 'precisionGoal'])).toBe('relativePrecision');
    expect(closestMatch('prec', ['relativePrecision', 'precisionGoal'])).toBe('precisionGoal');
    expect(closestMatch('tive', ['relative'])).toBe('relative');
    expect(closestMatch('ive', ['relative'])).toBeUndefined(); // words inside need 4 letters
  });
});
