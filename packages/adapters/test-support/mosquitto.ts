/**
 * Starts a private Mosquitto broker (the real one, `/usr/sbin/mosquitto`) on 127.0.0.1 and a free
 * port, for tests that must kill and restart a broker without touching the shared one on 1883.
 * Test support only. The process is ours: `stop()` kills it by its pid, `restart()` starts a fresh
 * one on the same port (no persistence, so sessions and subscriptions are gone, as after a crash).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Mosquitto process started by {@link startMosquitto}. */
export interface MosquittoProcess {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>` (or `mqtts://` with TLS). */
  readonly url: string;
  /** Kills the broker (SIGKILL by default: a crash, not a clean shutdown) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and waits until it accepts connections. */
  restart(): Promise<void>;
  /** Kills it (if running) and removes its temporary folder. */
  close(): Promise<void>;
}

/** Options of {@link startMosquitto}: extra configuration lines (a TLS listener, a password file). */
export interface MosquittoOptions {
  /** Lines of `mosquitto.conf` after `listener <port> 127.0.0.1`; default `allow_anonymous true`. */
  readonly config?: readonly string[];
  /** The scheme of `url`: `'mqtt'` (default) or `'mqtts'`. */
  readonly scheme?: 'mqtt' | 'mqtts';
}

/** Finds a free TCP port on 127.0.0.1 (asks the kernel for one, then releases it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('freePort: no port');
  return address.port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * Starts Mosquitto on a free port with a config file of its own (in a temporary folder removed by
 * `close()`).
 *
 * @example
 * ```ts
 * const broker = await startMosquitto();
 * await broker.stop();
 * await broker.restart();
 * await broker.close();
 * ```
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'twinkit-mosquitto-'));
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    [`listener ${port} 127.0.0.1`, ...(options.config ?? ['allow_anonymous true']), ''].join('\n'),
  );
  let child: ChildProcess | undefined;
  let output = '';

  const start = async (): Promise<void> => {
    output = '';
    const proc = spawn('mosquitto', ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 5_000;
    while (!(await accepts(port))) {
      if (proc.exitCode !== null || Date.now() > deadline)
        throw new Error(`mosquitto did not start on port ${port}: ${output.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };

  await start();
  return {
    port,
    url: `${options.scheme ?? 'mqtt'}://127.0.0.1:${port}`,
    async stop(signal = 'SIGKILL') {
      await kill(signal);
    },
    async restart() {
      await kill('SIGKILL');
      await start();
    },
    async close() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
