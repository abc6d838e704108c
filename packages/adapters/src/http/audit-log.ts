/**
 * The service's audit log: one JSON line per command and scenario request, appended (the file is
 * opened for appending only, never rewritten), each written before the request is acted on.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Role } from './auth';

/** One line of the audit log. */
export interface AuditEntry {
  /** When the request came, ISO-8601 wall time. */
  readonly time: string;
  /** The request id (also in the service's log lines). */
  readonly request_id: string;
  /** The token's subject (null when it has none). */
  readonly subject: string | null;
  readonly role: Role;
  /** The route, as declared: `POST /v1/assets/:id/commands`. */
  readonly route: string;
  /** The route's parameters (`{ id: 'M1' }`). */
  readonly params: Readonly<Record<string, string>>;
  /** The request body, as validated. */
  readonly body: unknown;
  /** The id the service gave the command or scenario (`command_id`, `scenario_id`). */
  readonly id?: string;
}

/** Appends audit entries to a JSON Lines file, one at a time, in order. */
export class AuditLog {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** Opens (or creates, mode 0600) the file for appending. */
  static async open(path: string): Promise<AuditLog> {
    return new AuditLog(await open(path, 'a', 0o600), path);
  }

  /** Appends one entry; resolves when the line is written to the file and synced to disk. */
  append(entry: AuditEntry): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the audit log is closed'));
    const line = `${JSON.stringify(entry)}\n`;
    const write = this.tail.then(async () => {
      await this.handle.write(line);
      // On disk before the command goes out: a crash cannot leave a command without its line.
      await this.handle.datasync();
    });
    this.tail = write.catch(() => {});
    return write;
  }

  /** Waits for the lines in flight, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await this.handle.close();
  }
}
