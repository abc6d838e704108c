import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
// From the main entry by name (see load-xmile.ts): dist/node.js then shares dist/index.js's classes.
import { readVensim, type SdModel, VensimError } from '@twinkit/sd';

/**
 * Reads a Vensim `.mdl` file from disk into a model (Node only; {@link readVensim} reads the text
 * anywhere).
 *
 * @example
 * ```ts
 * import { simulate } from '@twinkit/sd';
 * import { loadVensim } from '@twinkit/sd/node';
 * const results = simulate(loadVensim('teacup.mdl'));
 * results.final('Teacup Temperature');
 * ```
 * @throws VensimError (code `IO`) when the file cannot be read, or naming the construct, variable
 * and line of what twinkit cannot run.
 */
export function loadVensim(path: string): SdModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new VensimError(`loadVensim(path): cannot read ${JSON.stringify(path)}: ${(e as Error).message}`, {
      code: 'IO',
      cause: e,
    });
  }
  return readVensim(text, { file: basename(path) });
}
