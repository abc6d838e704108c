import { describe, expect, it } from 'vitest';
import { docPrograms, runDocProgram } from '../support/doc-programs';

const programs = docPrograms('abm.md');
const outDir = new URL('./out', import.meta.url).pathname;

describe('docs/abm.md', () => {
  it('has runnable programs', () => {
    expect(programs.length).toBeGreaterThanOrEqual(4);
  });

  programs.forEach((code, index) => {
    it(`program ${index + 1} runs`, () => {
      expect(runDocProgram(code, outDir, `docs-program-${index + 1}`).length).toBeGreaterThan(0);
    });
  });
});
