// From the main entry by name, not by relative path: the built dist/node.js then shares
// dist/index.js's classes (an XmileError from loadXmile is the XmileError of `@twinkit/sd`).
import { parseXmile, type SdModel, XmileError } from '@twinkit/sd';
import { readModelFile } from './read-model-file';

/** Reads an XMILE file from disk into a model (Node only; {@link parseXmile} reads the text anywhere). */
export function loadXmile(path: string): SdModel {
  const { text, file } = readModelFile('loadXmile(path)', path, XmileError);
  return parseXmile(text, { file });
}
