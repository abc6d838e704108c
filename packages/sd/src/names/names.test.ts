import { describe, expect, it } from 'vitest';
import { canonicalName, displayName } from './names';

describe('XMILE name rules', () => {
  it('compares case-insensitively with blanks, underscores and \\n equivalent', () => {
    expect(canonicalName('Teacup Temperature')).toBe(canonicalName('teacup_temperature'));
    expect(canonicalName('"Room  Temperature"')).toBe('room_temperature');
    expect(canonicalName('size_of_one\\ntime_lynx_harvest')).toBe('size_of_one_time_lynx_harvest');
  });
  it('keeps the modeller-facing spelling for display', () => {
    expect(displayName('size_of_one\\ntime  harvest')).toBe('size_of_one time harvest');
  });
});
