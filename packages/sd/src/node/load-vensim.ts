// From the main entry by name (see load-xmile.ts): dist/node.js then shares dist/index.js's classes.
import { readVensim, type SdModel, VensimError } from '@twinkit/sd';
import { readModelFile } from './read-model-file';

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
  const { text, file } = readModelFile('loadVensim(path)', path, VensimError);
  return readVensim(text, { file });
}
