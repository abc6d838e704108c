/**
 * The command line of `npm run factory -- --live`: speed-up, broker, service port, run length and
 * the line's size, validated with messages that name the option, the rule, the value and a remedy.
 */
import { TwinkitError } from '@twinkit/core';
import { DEFAULTS } from '../params';

/** What `--live` runs with. */
export interface LiveOptions {
  /** Calendar time per wall time: 60 runs a plant hour per wall minute. */
  speed: number;
  /** An MQTT broker to use (`mqtt://host:1883`); undefined: an embedded one is started. */
  mqtt: string | undefined;
  /** The embedded broker's port (0: any free port); only without `mqtt`. */
  mqttPort: number;
  /** The twin service's port (0: any free port). */
  port: number;
  /** Wall seconds to run before stopping by itself; undefined: until SIGINT or SIGTERM. */
  forSeconds: number | undefined;
  /** Machines in the line (at least 2: machine 1 is read over Modbus, the others over MQTT). */
  machines: number;
  /** Technicians on the floor, in the plant and in the twin. */
  technicians: number;
  /** Seed of the plant (the twin's seed is this plus one). */
  seed: number;
  /** Print the usage and stop. */
  help: boolean;
}

const API = 'npm run factory -- --live';

/** The `--live --help` text. */
export const LIVE_USAGE = `npm run factory -- --live [options]

Runs the factory twin live: a virtual plant (the hidden-truth model, paced to the wall clock)
publishes its telemetry over MQTT and exposes machine 1's PLC registers over Modbus TCP; the twin
synchronizes from both and serves its REST API, WebSocket feed and a dashboard on this machine.

  --speed N          plant time per wall time (60: an hour of plant time per wall minute; default 60)
  --mqtt URL         use this MQTT broker (mqtt://host:1883, Mosquitto works); default: an
                     embedded broker on 127.0.0.1
  --mqtt-port N      the embedded broker's port (default 0: any free port)
  --port N           the twin service's port on 127.0.0.1 (default 8080; 0: any free port)
  --for SECONDS      stop after this many wall seconds (default: run until Ctrl-C)
  --machines N       machines in the line, at least 2 (default ${DEFAULTS.machines})
  --technicians N    technicians on the floor (default ${DEFAULTS.technicians})
  --seed N           seed of the plant (default 1; the twin's is seed + 1)
  --help             this text

The service prints a development token per role (operator, engineer, admin), signed with
TWINKIT_JWT_SECRET when it is set, else with a random secret for this run only.
`;

const fail = (message: string): never => {
  throw new TwinkitError(`${API}: ${message}`, { code: 'INVALID_ARGUMENT' });
};

const NUMBER_FLAGS = ['speed', 'mqtt-port', 'port', 'for', 'machines', 'technicians', 'seed'] as const;
const FLAGS = [...NUMBER_FLAGS, 'mqtt', 'help', 'live'];

function number(flag: string, text: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) fail(`--${flag} must be a number, got ${JSON.stringify(text)}.`);
  return value;
}

function integer(flag: string, value: number, low: number, high: number, example: string): number {
  if (!Number.isInteger(value) || value < low || value > high)
    fail(
      `--${flag} must be an integer from ${low} to ${high}, got ${value}. Pass e.g. --${flag} ${example}.`,
    );
  return value;
}

/**
 * Parses the `--live` command line (`--live` itself is accepted and ignored, so the offline
 * program's arguments can be passed on whole). Throws a `TwinkitError` (`INVALID_ARGUMENT`) naming
 * the option, the rule, the value and what to pass instead.
 */
export function parseLiveOptions(argv: readonly string[]): LiveOptions {
  const given = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--live') continue;
    if (!arg.startsWith('--'))
      fail(`unexpected argument ${JSON.stringify(arg)}; options look like --speed 60.`);
    let name = arg.slice(2);
    let text: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      text = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (!FLAGS.includes(name)) {
      const known = FLAGS.filter((f) => f !== 'live').map((f) => `--${f}`);
      fail(`unknown option --${name}. The live twin's options are ${known.join(', ')}.`);
    }
    if (name === 'help' || name === 'live') {
      if (name === 'help') help = true;
      continue;
    }
    if (text === undefined) {
      text = argv[i + 1];
      if (text === undefined || text.startsWith('--'))
        fail(`--${name} needs a value, e.g. --${name} ${name === 'mqtt' ? 'mqtt://127.0.0.1:1883' : '60'}.`);
      i++;
    }
    if (given.has(name)) fail(`--${name} is given twice (${given.get(name)} and ${text}); give it once.`);
    given.set(name, text as string);
  }
  const num = (flag: string) => {
    const text = given.get(flag);
    return text === undefined ? undefined : number(flag, text);
  };
  const speed = num('speed') ?? 60;
  if (!(speed > 0) || speed > 100_000)
    fail(
      `--speed must be a number > 0 and at most 100000 (plant time per wall time), got ${speed}. Pass e.g. --speed 60.`,
    );
  const mqtt = given.get('mqtt');
  if (mqtt !== undefined && !/^(mqtts?|wss?|tcp|ssl):\/\/[^\s]+$/.test(mqtt))
    fail(
      `--mqtt must be a broker URL such as mqtt://127.0.0.1:1883 (mqtt, mqtts, ws, wss), got ${JSON.stringify(mqtt)}.`,
    );
  const mqttPortGiven = num('mqtt-port');
  if (mqtt !== undefined && mqttPortGiven !== undefined)
    fail(
      `--mqtt-port is the embedded broker's port, and --mqtt ${mqtt} replaces that broker; give one of them.`,
    );
  const mqttPort = integer('mqtt-port', mqttPortGiven ?? 0, 0, 65_535, '1883');
  const port = integer('port', num('port') ?? 8080, 0, 65_535, '8080');
  const forSeconds = num('for');
  if (forSeconds !== undefined && !(forSeconds > 0))
    fail(`--for must be a number of wall seconds > 0, got ${forSeconds}. Leave it out to run until Ctrl-C.`);
  const machines = num('machines') ?? DEFAULTS.machines;
  if (!Number.isInteger(machines) || machines < 2 || machines > 50)
    fail(
      `--machines must be an integer from 2 to 50, got ${machines}: the live plant reads machine 1 over Modbus and the others over MQTT. Pass e.g. --machines 5.`,
    );
  const technicians = integer('technicians', num('technicians') ?? DEFAULTS.technicians, 1, 100, '5');
  const seed = integer('seed', num('seed') ?? 1, 0, Number.MAX_SAFE_INTEGER, '7');
  return { speed, mqtt, mqttPort, port, forSeconds, machines, technicians, seed, help };
}
