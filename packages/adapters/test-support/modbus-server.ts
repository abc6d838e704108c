/**
 * Starts the pymodbus device of modbus-server.py (Debian's python3-pymodbus on /usr/bin/python3) as
 * a child process on 127.0.0.1, for the Modbus tests and the benchmark. Not shipped (outside src/).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The Python that Debian's python3-pymodbus is installed for (a pyenv python3 on PATH would not have it). */
export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./modbus-server.py', import.meta.url));

/** Says whether pymodbus can be imported, and its version or why not. */
export function pymodbusVersion(): { ok: true; version: string } | { ok: false; why: string } {
  const probe = spawnSync(PYTHON, ['-c', 'import pymodbus; print(pymodbus.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.error) return { ok: false, why: `${PYTHON} cannot run: ${probe.error.message}` };
  if (probe.status !== 0)
    return {
      ok: false,
      why: `python3-pymodbus is not installed for ${PYTHON} (apt-get install -y python3-pymodbus; .ci/run does): ${probe.stderr.trim().split('\n').pop()}`,
    };
  return { ok: true, version: probe.stdout.trim() };
}

/** A running pymodbus device. */
export interface ModbusServer {
  /** The port it listens on (kept across `restart`). */
  readonly port: number;
  /** Kills it (SIGKILL by default: a device that loses power says nothing to its clients). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
}

/** Starts the device on `port` (0: a free port) and resolves once it listens. */
export async function startModbusServer(port = 0): Promise<ModbusServer> {
  let child: ChildProcess | undefined;
  let bound = port;
  const launch = async (on: number) => {
    const launched = spawn(PYTHON, [SCRIPT, String(on)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = launched;
    let stderr = '';
    // Drain stderr (pymodbus logs every exception response), keeping the tail for error messages.
    launched.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    bound = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => {
        launched.kill('SIGKILL');
        reject(new Error(`modbus-server.py did not say READY within 15 s; stderr: ${stderr}`));
      }, 15_000);
      launched.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const match = /READY (\d+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      launched.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`modbus-server.py exited with ${code} before READY; stderr: ${stderr}`));
      });
    });
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill(signal);
    });
  };
  await launch(port);
  return {
    get port() {
      return bound;
    },
    kill,
    restart: () => launch(bound),
  };
}
