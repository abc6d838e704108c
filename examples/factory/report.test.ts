import { describe, expect, it } from 'vitest';
import { decisionText } from './report';
import type { Recommendation } from './twin';

const prices = { technicianCost: 60, downtimeCost: 900 };

describe('the decision paragraph', () => {
  it('names the crew, every saving with its paired interval, how sure, and what would change it', () => {
    const r: Recommendation = {
      scenario: '2 technicians',
      totalCost: 100_000,
      against: [
        { scenario: '1 technician', difference: 5_000, lower: 1_000, upper: 9_000, significant: true },
        { scenario: '3 technicians', difference: 40_000, lower: 39_000, upper: 41_000, significant: true },
      ],
    };
    const text = decisionText(r, prices, 30);
    expect(text.startsWith('Recommendation: 2 technicians.')).toBe(true);
    expect(text).toContain('costs 100,000');
    expect(text).toContain('5,000 less than 1 technician (95% paired interval 1,000 to 9,000)');
    expect(text).toContain('40,000 less than 3 technicians (95% paired interval 39,000 to 41,000)');
    expect(text).toContain('sure of this choice');
    // A technician for 30 days costs 60 × 24 × 30 = 43,200: the downtime it must save at 900 an hour.
    expect(text).toContain(
      `more than ${((60 * 24 * 30) / 900).toFixed(0)} machine-hours of downtime per 30 days`,
    );
    expect(decisionText(r, prices, 30, true)).toContain('<b>2 technicians</b>');
    // A degenerate interval (the same difference in every replication) is explained, not shown.
    const same = decisionText(
      { ...r, against: [{ ...r.against[0]!, lower: 5_000, upper: 5_000 }] },
      prices,
      30,
    );
    expect(same).toContain('5,000 less than 1 technician (the same in every replication)');
    expect(same).not.toContain('5,000 to 5,000');
  });

  it('says when a saving is not sure (its interval includes zero)', () => {
    const r: Recommendation = {
      scenario: '1 technician',
      totalCost: 50_000,
      against: [{ scenario: '2 technicians', difference: 200, lower: -100, upper: 500, significant: false }],
    };
    const text = decisionText(r, prices, 7);
    expect(text).toContain('against 2 technicians includes zero (no detectable difference)');
    expect(text).not.toContain('sure of this choice');
  });
});
