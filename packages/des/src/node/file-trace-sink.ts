import { closeSync, openSync, writeSync } from 'node:fs';
import { TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
// From the main entry by name, not by relative path: the built dist/node.js then uses
// dist/index.js rather than a second copy of it.
import { formatTraceRecord, type TraceRecord, type TraceSink } from '@twinkit/des';

/** A trace sink that appends formatted lines to a file, and can be closed. */
export interface FileTraceSink extends TraceSink {
  /** Closes the file. */
  close(): void;
}

/**
 * Creates a sink that writes each record to `path` as one formatted line (or one JSON object per line
 * with `{ format: 'jsonl' }`). The file is created or truncated; call `close()` when done.
 */
export function fileTraceSink(path: string, options: { format?: 'text' | 'jsonl' } = {}): FileTraceSink {
  if (typeof path !== 'string' || path.length === 0) {
    throw invalidArgument('fileTraceSink(path)', 'path must be a non-empty string', path);
  }
  rejectUnknownKeys('fileTraceSink(path, options)', options, ['format'], "{ format: 'jsonl' }");
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'jsonl') {
    throw invalidArgument('fileTraceSink(path, { format })', 'format must be "text" or "jsonl"', format);
  }
  let fd: number | null = openSync(path, 'w');
  const sink = ((record: TraceRecord) => {
    if (fd === null) {
      throw new TwinkitError(
        `fileTraceSink(${formatValue(path)}): a record arrived after close(). Stop the trace (trace.stop()) before closing its sink.`,
        { code: 'INVALID_STATE' },
      );
    }
    writeSync(fd, `${format === 'jsonl' ? JSON.stringify(record) : formatTraceRecord(record)}\n`);
  }) as FileTraceSink;
  sink.close = () => {
    if (fd !== null) closeSync(fd);
    fd = null;
  };
  return sink;
}
