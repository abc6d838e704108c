/**
 * The local services the adapter tests talk to over real connections. A test file calls
 * `requireService` in `beforeAll`, so a missing service fails the file at once with what to start,
 * instead of timing out test by test (or crashing at import). Not shipped (outside src/).
 */
import { connect } from 'node:net';

/** The services, with how to start each on this kind of machine (.ci/run does it for CI). */
export const SERVICES = {
  mosquitto: {
    port: 1883,
    remedy: 'start it with `mosquitto -d` (Debian package mosquitto), or run .ci/run',
  },
  postgres: {
    port: 5432,
    remedy:
      'start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` (Debian package postgresql), or run .ci/run',
  },
} as const;

/** Resolves when `127.0.0.1:<port>` of the named service accepts a connection; otherwise rejects saying how to start it. */
export function requireService(name: keyof typeof SERVICES, timeoutMs = 2000): Promise<void> {
  const { port, remedy } = SERVICES[name];
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`These tests need ${name} on 127.0.0.1:${port}, which ${why}: ${remedy}.`));
    };
    const timer = setTimeout(() => fail(`did not answer within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(`refused the connection (${e.code ?? e.message})`);
    });
  });
}
