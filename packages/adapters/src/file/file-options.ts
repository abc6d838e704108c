import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';

/**
 * Checks what `fileSource` and `fileSink` both take: known keys only, a non-empty `path` and a
 * `format` of `'jsonl'` or `'csv'`. @internal
 */
export function checkFileOptions(
  api: string,
  options: { readonly path?: unknown; readonly format?: unknown } | undefined,
  known: readonly string[],
  example: string,
): void {
  rejectUnknownKeys(api, options, known, example);
  if (options === undefined) throw invalidArgument(api, 'options are required', options, `Pass ${example}.`);
  if (typeof options.path !== 'string' || options.path.length === 0)
    throw invalidArgument(api, 'path must be a non-empty string', options.path);
  if (options.format !== 'jsonl' && options.format !== 'csv')
    throw invalidArgument(api, "format must be 'jsonl' or 'csv'", options.format);
}
