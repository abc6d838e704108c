import { describe, expect, it } from 'vitest';
import {
  dateOf,
  hours,
  instantOf,
  interval,
  money,
  percent,
  percentPoints,
  plain,
  SAME_MARKER,
} from './format';
import { EPOCH } from './twin';

describe('plain', () => {
  it('writes significant digits but the whole part in full, with thousands separators', () => {
    expect(plain(0.012345, 3)).toBe('0.0123');
    expect(plain(12.345, 3)).toBe('12.3');
    expect(plain(1234.5, 3)).toBe('1,235');
    expect(plain(-2.5, 2)).toBe('-2.5');
    expect(plain(0)).toBe('0');
  });

  it('never prints an exponent: tiny values round to 0 (without a sign), huge ones are written out', () => {
    for (const v of [1e-9, -1e-9, 3.2e-7, 1e21, -4.4e-12, 5e-5, 123456789.123]) {
      expect(plain(v)).not.toMatch(/e/i);
      expect(plain(v, 6)).not.toMatch(/e/i);
    }
    expect(plain(1e-9)).toBe('0');
    expect(plain(-1e-9)).toBe('0');
    expect(plain(5e-5, 2)).toBe('0.00005');
    expect(plain(1e21)).toBe('1,000,000,000,000,000,000,000');
  });
});

describe('percent and hours', () => {
  it('writes fractions as percentages with sensible digits', () => {
    expect(percent(0.0017)).toBe('0.17%');
    expect(percent(0.02)).toBe('2%');
    expect(percent(0.95345)).toBe('95.3%');
    expect(percent(1)).toBe('100%');
    expect(percent(1e-12)).toBe('0%');
    expect(percentPoints(0.012)).toBe('1.2 pp');
    expect(percentPoints(-0.0005)).toBe('-0.05 pp');
  });

  it('writes durations in hours', () => {
    expect(hours(168)).toBe('168 h');
    expect(hours(0.75)).toBe('0.75 h');
    expect(hours(12.345)).toBe('12.3 h');
  });
});

describe('money', () => {
  it('writes whole amounts in the given currency', () => {
    expect(money(129_600.4, 'EUR')).toBe('€129,600');
    expect(money(-43_200, 'USD')).toBe('-$43,200');
    expect(money(1_234.5, 'CHF')).toMatch(/^CHF\s1,235$/);
  });

  it('writes an amount that rounds to zero without a sign', () => {
    expect(money(-0.2, 'EUR')).toBe('€0');
  });
});

describe('dateOf', () => {
  it('writes simulated minutes as a calendar date and time from the epoch, in UTC', () => {
    expect(new Date(EPOCH).toISOString()).toBe('2026-01-05T06:00:00.000Z');
    expect(dateOf(0)).toBe('Mon 5 Jan 2026 06:00 UTC');
    // 14 days and 8 hours later: Monday 19 January, 14:00.
    expect(dateOf(14 * 1440 + 480)).toBe('Mon 19 Jan 2026 14:00 UTC');
    // Rounded to the minute, across a month's end.
    expect(dateOf(26 * 1440 + 18 * 60 - 0.0001)).toBe('Sun 1 Feb 2026 00:00 UTC');
    expect(instantOf(90)).toBe(EPOCH + 90 * 60_000);
  });
});

describe('interval', () => {
  it('writes a mean with its interval', () => {
    expect(interval(12.34, 10.09, 14.51)).toBe('12.3 [10.1, 14.5]');
    expect(interval(43_200, 40_000, 46_000, (v) => money(v, 'EUR'))).toBe('€43,200 [€40,000, €46,000]');
  });

  it('writes a degenerate interval as its value and a marker, never as [x, x]', () => {
    expect(interval(43_200, 43_200, 43_200, (v) => money(v, 'EUR'))).toBe(`€43,200${SAME_MARKER}`);
    // Ends that differ only below the written precision are degenerate too.
    expect(interval(5, 5 - 1e-12, 5 + 1e-12)).toBe(`5${SAME_MARKER}`);
    expect(interval(1, 0.5, 1.5, plain, { degenerate: true, marker: ' (the same every time)' })).toBe(
      '1 (the same every time)',
    );
  });
});
