import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Root of the repository. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs an example file the way a user does (TypeScript through tsx, workspace packages from source)
 * and returns what it printed.
 */
export async function runExample(file: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', '--conditions=@twinkit/source', file, ...args],
    { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}
