import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Reads a model file as UTF-8 text for `loadXmile` / `loadVensim`: the text and the file name the
 * reader's messages cite, or the reader's own error class (code `IO`) naming `api` and the path.
 * @internal
 */
export function readModelFile(
  api: string,
  path: string,
  ErrorClass: new (message: string, options: { code: 'IO'; cause: unknown }) => Error,
): { text: string; file: string } {
  try {
    return { text: readFileSync(path, 'utf8'), file: basename(path) };
  } catch (e) {
    throw new ErrorClass(`${api}: cannot read ${JSON.stringify(path)}: ${(e as Error).message}`, {
      code: 'IO',
      cause: e,
    });
  }
}
