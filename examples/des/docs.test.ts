import { describe, expect, it } from 'vitest';
import { docPrograms, runDocProgram } from '../support/doc-programs';

const programs = docPrograms('des.md');
const outDir = new URL('./out', import.meta.url).pathname;

describe('docs/des.md', () => {
  it('has runnable programs', () => {
    expect(programs.length).toBeGreaterThanOrEqual(6);
  });

  programs.forEach((code, index) => {
    it(`program ${index + 1} runs and its assertions hold`, () => {
      expect(runDocProgram(code, outDir, `docs-program-${index + 1}`).length).toBeGreaterThan(0);
    });
  });
});
