import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import type { Sensor, SensorRegistry } from '../sensors';

/** How the words of a register hold a number: 16-bit (one register) or 32-bit (two registers). */
export type RegisterType = 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32';

/**
 * The order of the two 16-bit words of a 32-bit value: `'big'` puts the high word at the lower
 * address (AB CD, the Modbus convention), `'little'` the low word first (CD AB, many PLCs). Bytes
 * inside a word are always big-endian, as Modbus sends them.
 */
export type WordOrder = 'big' | 'little';

/** Which table a register is read from: holding registers (function 3) or input registers (function 4). */
export type RegisterKind = 'holding' | 'input';

/**
 * One sensor value in the device's register map.
 *
 * @example
 * ```ts
 * const r: ModbusRegister = { sensor: 'TEMP-001', address: 10, type: 'float32', wordOrder: 'big' };
 * const amps: ModbusRegister = { sensor: 'CUR-001', address: 3, type: 'int16', scale: 0.1, kind: 'input' };
 * ```
 */
export interface ModbusRegister {
  /** The sensor id in the source's registry; gives the reading's unit and topic. */
  readonly sensor: string;
  /** The first register, in the source's `addressing` (0-based protocol address, or 1-based register number). */
  readonly address: number;
  /** How the register's words hold the number. */
  readonly type: RegisterType;
  /** Word order of a 32-bit type; required for those (devices differ, and a wrong guess decodes to plausible nonsense). */
  readonly wordOrder?: WordOrder;
  /** Multiplies the decoded number (default 1): `value = raw * scale + offset`. */
  readonly scale?: number;
  /** Added after scaling (default 0). */
  readonly offset?: number;
  /** Holding (function 3, the default) or input (function 4) registers. */
  readonly kind?: RegisterKind;
}

/** One read request of a poll: a run of registers of one kind, read with one Modbus request. */
export interface ModbusRequest {
  /** Holding or input registers. */
  readonly kind: RegisterKind;
  /** The first register, as a 0-based protocol address (what goes on the wire). */
  readonly address: number;
  /** How many registers the request reads (at most 125). */
  readonly count: number;
  /** The sensors whose values this request brings, in address order. */
  readonly sensors: readonly string[];
}

/** A register resolved against the registry and placed in its request. @internal */
export interface PlannedRegister {
  readonly sensor: Sensor;
  readonly type: RegisterType;
  readonly wordOrder: WordOrder;
  readonly scale: number;
  readonly offset: number;
  /** Index of its first word in the request's response. */
  readonly at: number;
}

/** A request with the registers it serves. @internal */
export interface PlannedRequest extends ModbusRequest {
  readonly registers: readonly PlannedRegister[];
}

/** The Modbus limit of registers in one read (functions 3 and 4): 125 words fill the 253-byte PDU. */
export const MAX_REGISTERS_PER_READ = 125;

const TYPES: readonly RegisterType[] = ['int16', 'uint16', 'int32', 'uint32', 'float32'];
const REGISTER_KEYS = ['sensor', 'address', 'type', 'wordOrder', 'scale', 'offset', 'kind'] as const;

const wordsOf = (type: RegisterType): 1 | 2 => (type === 'int16' || type === 'uint16' ? 1 : 2);

/** What {@link planRequests} needs besides the registers. @internal */
export interface PlanOptions {
  readonly api: string;
  readonly sensors: SensorRegistry;
  readonly addressing: 0 | 1;
  readonly maxGap: number;
  readonly maxPerRequest: number;
}

/**
 * Checks a register map and groups it into read requests: per kind, registers sorted by address
 * are merged while the next one starts at most `maxGap` unrequested words after the current run
 * and the run stays within `maxPerRequest` words. Overlapping registers share the words. @internal
 */
export function planRequests(registers: readonly ModbusRegister[], options: PlanOptions): PlannedRequest[] {
  const { api, sensors, addressing, maxGap, maxPerRequest } = options;
  if (!Array.isArray(registers) || registers.length === 0)
    throw invalidArgument(
      api,
      'registers must be a non-empty array of { sensor, address, type, wordOrder?, scale?, offset?, kind? }',
      registers,
    );
  const seen = new Set<string>();
  const resolved = registers.map((register, i) => {
    const at = `${api}: registers[${i}]`;
    if (register === null || typeof register !== 'object')
      throw invalidArgument(at, 'must be an object { sensor, address, type, ... }', register);
    rejectUnknownKeys(at, register, REGISTER_KEYS);
    if (typeof register.sensor !== 'string' || !sensors.has(register.sensor))
      throw invalidArgument(
        at,
        'sensor must be the id of a sensor in the registry',
        register.sensor,
        `Known sensors: ${
          sensors
            .list()
            .map((s) => s.id)
            .join(', ') || 'none'
        }.`,
      );
    if (seen.has(register.sensor))
      throw invalidArgument(
        at,
        'each sensor may have one register (a reading has one value)',
        register.sensor,
        'Define another sensor for the second value.',
      );
    seen.add(register.sensor);
    if (!TYPES.includes(register.type))
      throw invalidArgument(at, `type must be one of ${TYPES.join(', ')}`, register.type);
    const words = wordsOf(register.type);
    if (words === 2 && register.wordOrder === undefined)
      throw invalidArgument(
        at,
        `wordOrder is required for ${register.type} ('big': high word first, 'little': low word first)`,
        register.wordOrder,
        "Devices differ and a wrong guess decodes to plausible wrong values: check the device's manual.",
      );
    if (register.wordOrder !== undefined && register.wordOrder !== 'big' && register.wordOrder !== 'little')
      throw invalidArgument(at, "wordOrder must be 'big' or 'little'", register.wordOrder);
    const kind = register.kind ?? 'holding';
    if (kind !== 'holding' && kind !== 'input')
      throw invalidArgument(at, "kind must be 'holding' or 'input'", register.kind);
    const scale = register.scale ?? 1;
    const offset = register.offset ?? 0;
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale === 0)
      throw invalidArgument(at, 'scale must be a finite number other than 0', register.scale);
    if (typeof offset !== 'number' || !Number.isFinite(offset))
      throw invalidArgument(at, 'offset must be a finite number', register.offset);
    const low = addressing;
    const high = 65535 + addressing - (words - 1);
    if (!Number.isInteger(register.address) || register.address < low || register.address > high)
      throw invalidArgument(
        at,
        `address must be an integer in [${low}, ${high}] for a ${register.type} with ${addressing}-based addressing`,
        register.address,
        addressing === 1 && register.address === 0
          ? 'Address 0 does not exist in 1-based addressing: use addressing: 0, or number registers from 1.'
          : undefined,
      );
    return {
      sensor: sensors.get(register.sensor),
      type: register.type,
      wordOrder: register.wordOrder ?? 'big',
      scale,
      offset,
      kind,
      start: register.address - addressing,
      words,
    };
  });
  if (maxPerRequest < 2 && resolved.some((r) => r.words === 2))
    throw invalidArgument(api, 'maxPerRequest must be at least 2 when a register is 32-bit', maxPerRequest);

  const requests: PlannedRequest[] = [];
  for (const kind of ['holding', 'input'] as const) {
    const ofKind = resolved
      .filter((r) => r.kind === kind)
      .sort((a, b) => a.start - b.start || a.words - b.words);
    let run: (typeof ofKind)[number][] = [];
    let start = 0;
    let end = 0;
    const close = () => {
      if (run.length === 0) return;
      requests.push({
        kind,
        address: start,
        count: end - start,
        sensors: run.map((r) => r.sensor.id),
        registers: run.map((r) => ({
          sensor: r.sensor,
          type: r.type,
          wordOrder: r.wordOrder,
          scale: r.scale,
          offset: r.offset,
          at: r.start - start,
        })),
      });
      run = [];
    };
    for (const r of ofKind) {
      const newEnd = Math.max(end, r.start + r.words);
      if (run.length > 0 && r.start <= end + maxGap && newEnd - start <= maxPerRequest) {
        run.push(r);
        end = newEnd;
      } else {
        close();
        run = [r];
        start = r.start;
        end = r.start + r.words;
      }
    }
    close();
  }
  return requests;
}

// One scratch word pair reinterpreted as a float32: no allocation per value on the hot path.
const scratch = new DataView(new ArrayBuffer(4));

/**
 * Decodes the number a register holds from its 16-bit words (as a Modbus response gives them):
 * `words[at]` (and `words[at + 1]` for 32-bit types) in the given word order. A float32 may decode
 * to NaN or ±Infinity; callers must check.
 *
 * @example
 * ```ts
 * decodeRegister([0x4049, 0x0fd0], 0, 'float32', 'big');    // 3.141590118408203 (Math.fround(3.14159))
 * decodeRegister([0x0fd0, 0x4049], 0, 'float32', 'little'); // the same
 * decodeRegister([0xfb2e], 0, 'int16');                     // -1234
 * ```
 */
export function decodeRegister(
  words: ArrayLike<number>,
  at: number,
  type: RegisterType,
  wordOrder: WordOrder = 'big',
): number {
  const first = words[at];
  if (first === undefined)
    throw invalidArgument(
      'decodeRegister(words, at, type)',
      `at ${at} must be the index of a word (words.length shown)`,
      words.length,
    );
  if (type === 'uint16') return first;
  if (type === 'int16') return first > 0x7fff ? first - 0x10000 : first;
  const second = words[at + 1];
  if (second === undefined)
    throw invalidArgument(
      'decodeRegister(words, at, type)',
      `a ${type} needs words at ${at} and ${at + 1} (words.length shown)`,
      words.length,
    );
  const high = wordOrder === 'big' ? first : second;
  const low = wordOrder === 'big' ? second : first;
  scratch.setUint16(0, high);
  scratch.setUint16(2, low);
  if (type === 'uint32') return scratch.getUint32(0);
  if (type === 'int32') return scratch.getInt32(0);
  return scratch.getFloat32(0);
}
