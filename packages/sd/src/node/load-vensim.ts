// From the main entry by name (see load-xmile.ts): dist/node.js then shares dist/index.js's classes.

import { dirname, resolve } from 'node:path';
import { readVensim, type SdModel, VensimError } from '@twinkit/sd';
import { readModelFile } from './read-model-file';
import { openWorkbook } from './workbook';

/**
 * Options of {@link loadVensim}.
 *
 * @example
 * ```ts
 * loadVensim('model.mdl', { dataFiles: ['data.tab'] }); // data variables read from data.tab
 * ```
 */
export interface LoadVensimOptions {
  /**
   * The run's data files, relative to the model's directory (Vensim's `.tab` or `.csv` output of
   * another run): the model's data variables without an equation are read from them.
   */
  dataFiles?: readonly string[];
}

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
export function loadVensim(path: string, options: LoadVensimOptions = {}): SdModel {
  const { text, file } = readModelFile('loadVensim(path)', path, VensimError);
  const dir = dirname(path);
  return readVensim(text, {
    file,
    workbook: (name) => openWorkbook('loadVensim(path)', resolve(dir, name), name),
    ...(options.dataFiles ? { dataFiles: options.dataFiles } : {}),
  });
}
