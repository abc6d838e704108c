// From the main entry by name (see load-xmile.ts): dist/node.js then shares dist/index.js's classes.

import { dirname, resolve } from 'node:path';
import { readVensim, type SdModel, VensimError } from '@twinkit/sd';
import { readModelFile } from './read-model-file';
import { openWorkbook } from './workbook';

/**
 * Reads a Vensim `.mdl` file from disk into a model (Node only; {@link readVensim} reads the text
 * anywhere). The spreadsheets its GET DIRECT / GET XLS functions name are read from the model's
 * directory: `.xls` and `.xlsx` need the optional package `xlsx` (`npm install xlsx`), `.csv` and
 * `.tab` files are read as text.
 *
 * @example
 * ```ts
 * import { simulate } from '@twinkit/sd';
 * import { loadVensim } from '@twinkit/sd/node';
 * const results = simulate(loadVensim('teacup.mdl'));
 * results.final('Teacup Temperature');
 * ```
 * @throws VensimError (code `IO`) when the file cannot be read, or naming the construct, variable
 * and line of what twinkit cannot run, or naming a data file it cannot read (and the
 * `npm install xlsx` a spreadsheet needs when that package is missing).
 */
export function loadVensim(path: string): SdModel {
  const { text, file } = readModelFile('loadVensim(path)', path, VensimError);
  const dir = dirname(path);
  return readVensim(text, {
    file,
    workbook: (name) => openWorkbook('loadVensim(path)', resolve(dir, name), name),
  });
}
