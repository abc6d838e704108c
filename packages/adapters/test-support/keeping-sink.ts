/**
 * A sink that keeps what it is given, as a test's eyes on what a twin publishes; `fail` makes it a
 * sink that is down (every write rejects, counted as failed). Test support only: not shipped.
 */
import { type Sink, SinkCounters, type SinkMessage, type SinkStats } from '../src/sink';

export class KeepingSink implements Sink {
  readonly messages: SinkMessage[] = [];
  private readonly counters = new SinkCounters();
  /** While true, every write fails with 'sink is down'. */
  fail = false;

  constructor(readonly name = 'keeping') {}

  async write(message: SinkMessage): Promise<void> {
    this.counters.written();
    if (this.fail) {
      this.counters.failed();
      throw new Error('sink is down');
    }
    this.messages.push(message);
    this.counters.delivered();
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  stats(): SinkStats {
    return this.counters.snapshot(0, 0);
  }
  /** The messages of one kind, in the order written. */
  of(kind: SinkMessage['kind']): SinkMessage[] {
    return this.messages.filter((m) => m.kind === kind);
  }
}
