import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './run-example';

/** The ```ts blocks of a docs page that are complete programs (they start with an import). */
export function docPrograms(page: string): string[] {
  return [...readFileSync(join(repoRoot, 'docs', page), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((code) => code.startsWith('import '));
}

/**
 * Writes a docs program to `outDir` and runs it with tsx on the workspace sources; returns what it
 * printed. Throws if the program fails (a failed `assert` exits with a non-zero status).
 */
export function runDocProgram(code: string, outDir: string, name: string): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}.ts`);
  writeFileSync(file, code);
  return execFileSync(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['--conditions=@twinkit/source', file], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
}
