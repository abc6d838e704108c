import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
// From the main entry by name, not by relative path: the built dist/node.js then shares
// dist/index.js's classes (an XmileError from loadXmile is the XmileError of `@twinkit/sd`).
import { parseXmile, type SdModel, XmileError } from '@twinkit/sd';

/** Reads an XMILE file from disk into a model (Node only; {@link parseXmile} reads the text anywhere). */
export function loadXmile(path: string): SdModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new XmileError(`loadXmile(path): cannot read ${JSON.stringify(path)}: ${(e as Error).message}`, {
      code: 'IO',
      cause: e,
    });
  }
  return parseXmile(text, { file: basename(path) });
}
