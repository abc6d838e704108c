// modbusSource against a real Modbus TCP device that twinkit did not write: Debian's python3-pymodbus
// running test-support/modbus-server.py (its register map is documented there).
import { createServer, type Server, type Socket } from 'node:net';
import { TwinkitError } from '@twinkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModbusServer, pymodbusVersion, startModbusServer } from '../../test-support/modbus-server';
import type { Reading, TwinEvent } from '../reading';
import { defineSensors, type SensorSpec } from '../sensors';
import { type ModbusSource, type ModbusSourceStats, modbusSource } from './modbus-source';
import type { ModbusRegister } from './register-map';

const pymodbus = pymodbusVersion();
if (!pymodbus.ok) throw new Error(pymodbus.why);

const sensor = (id: string, unit = '1'): SensorSpec => ({
  id,
  source: `factory/test/plc1/telemetry/${id.toLowerCase()}`,
  unit,
});

// The values modbus-server.py holds, at 0-based protocol addresses.
const EXPECTED: readonly (ModbusRegister & { value: number })[] = [
  { sensor: 'H-INT16', address: 0, type: 'int16', value: -1234 },
  { sensor: 'H-UINT16', address: 1, type: 'uint16', value: 54321 },
  { sensor: 'H-INT32-BIG', address: 2, type: 'int32', wordOrder: 'big', value: -123456789 },
  { sensor: 'H-INT32-LITTLE', address: 4, type: 'int32', wordOrder: 'little', value: -123456789 },
  { sensor: 'H-UINT32-BIG', address: 6, type: 'uint32', wordOrder: 'big', value: 3_000_000_000 },
  { sensor: 'H-UINT32-LITTLE', address: 8, type: 'uint32', wordOrder: 'little', value: 3_000_000_000 },
  { sensor: 'H-FLOAT32-BIG', address: 10, type: 'float32', wordOrder: 'big', value: Math.fround(1234.5678) },
  {
    sensor: 'H-FLOAT32-LITTLE',
    address: 12,
    type: 'float32',
    wordOrder: 'little',
    value: Math.fround(-273.15),
  },
  { sensor: 'I-INT16', address: 0, type: 'int16', kind: 'input', value: -42 },
  { sensor: 'I-UINT16', address: 1, type: 'uint16', kind: 'input', value: 4242 },
  { sensor: 'I-FLOAT32-LITTLE', address: 2, type: 'float32', wordOrder: 'little', kind: 'input', value: 1.5 },
  { sensor: 'I-INT32-BIG', address: 4, type: 'int32', wordOrder: 'big', kind: 'input', value: 7654321 },
  {
    sensor: 'I-UINT32-LITTLE',
    address: 6,
    type: 'uint32',
    wordOrder: 'little',
    kind: 'input',
    value: 4_000_000_000,
  },
];

const BLOCK = Array.from({ length: 300 }, (_, i) => 100 + i); // holding 100-399 hold their own address

const sensors = defineSensors([
  ...EXPECTED.map((r) => sensor(r.sensor)),
  ...['NAN', 'INF', 'SEVEN', 'COUNTER', 'UPTIME', 'MISSING', 'TEMP'].map((id) => sensor(id)),
  ...BLOCK.map((address) => sensor(`B${address}`)),
]);
const registersOf = (list: readonly (ModbusRegister & { value?: number })[]): ModbusRegister[] =>
  list.map(({ value: _value, ...register }) => register);

let device: ModbusServer;
beforeAll(async () => {
  device = await startModbusServer();
});
afterAll(async () => {
  await device?.kill();
});

/** Takes readings until `done` says so (the loop's break closes the source). */
async function take(source: ModbusSource, done: (readings: Reading[]) => boolean): Promise<Reading[]> {
  const readings: Reading[] = [];
  for await (const reading of source) {
    readings.push(reading);
    if (done(readings)) break;
  }
  return readings;
}

/** Every value that arrived is accepted, rejected, dropped or pending: the contract's sum. */
function expectBalanced(stats: ModbusSourceStats): void {
  const sum = (record: Readonly<Record<string, number>>) => Object.values(record).reduce((a, b) => a + b, 0);
  expect(stats.received + stats.filled).toBe(
    stats.accepted + sum(stats.rejected) + sum(stats.dropped) + stats.pending,
  );
}

const until = async (condition: () => boolean, ms: number, what: string) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe(`modbusSource against pymodbus ${pymodbus.ok ? pymodbus.version : ''}`, () => {
  it.each([0, 1] as const)(
    'decodes every type and word order, holding and input, with %i-based addressing',
    async (addressing) => {
      const source = modbusSource({
        host: '127.0.0.1',
        port: device.port,
        addressing,
        pollMs: 50,
        sensors,
        registers: registersOf(EXPECTED).map((r) => ({ ...r, address: r.address + addressing })),
      });
      // 8 contiguous holding registers (14 words) and 5 contiguous input registers (8 words): 2 requests.
      expect(source.plan).toEqual([
        { kind: 'holding', address: 0, count: 14, sensors: EXPECTED.slice(0, 8).map((r) => r.sensor) },
        { kind: 'input', address: 0, count: 8, sensors: EXPECTED.slice(8).map((r) => r.sensor) },
      ]);
      const readings = await take(source, (r) => r.length === EXPECTED.length);
      const byId = new Map(readings.map((r) => [r.sensor_id, r]));
      for (const expected of EXPECTED) {
        const reading = byId.get(expected.sensor);
        expect(reading?.value, expected.sensor).toBe(expected.value);
        expect(reading).toMatchObject({
          quality: 'good',
          unit: '1',
          seq: 1,
          source: sensors.get(expected.sensor).source,
        });
        expect(reading?.timestamp).toBe(new Date(reading?.time ?? 0).toISOString());
      }
      const stats = source.stats();
      expect(stats).toMatchObject({ polls: 1, requests: 2, received: EXPECTED.length, failedPolls: 0 });
      expectBalanced(stats);
    },
  );

  it('reads the register the map names: address 1 is the second register 0-based, the first 1-based', async () => {
    const read = async (addressing: 0 | 1, address: number) => {
      const source = modbusSource({
        host: '127.0.0.1',
        port: device.port,
        addressing,
        sensors,
        registers: [{ sensor: 'TEMP', address, type: 'int16' }],
      });
      const [reading] = await take(source, () => true);
      return reading?.value;
    };
    // The server holds -1234 at protocol address 0 and 54321 (as int16: -11215) at 1.
    expect(await read(0, 0)).toBe(-1234);
    expect(await read(0, 1)).toBe(54321 - 65536);
    expect(await read(1, 1)).toBe(-1234);
    expect(await read(1, 2)).toBe(54321 - 65536);
  });

  it('applies scale and offset, and rejects a float32 that decodes to NaN or Infinity (counted, never yielded)', async () => {
    const source = modbusSource({
      host: '127.0.0.1',
      port: device.port,
      addressing: 0,
      pollMs: 20,
      sensors,
      registers: [
        { sensor: 'NAN', address: 14, type: 'float32', wordOrder: 'big' },
        { sensor: 'INF', address: 16, type: 'float32', wordOrder: 'big' },
        { sensor: 'SEVEN', address: 19, type: 'uint16', scale: 0.5, offset: -1 },
      ],
    });
    const readings = await take(source, (r) => r.length === 3);
    expect(readings.map((r) => [r.sensor_id, r.value, r.seq])).toEqual([
      ['SEVEN', 2.5, 1],
      ['SEVEN', 2.5, 2],
      ['SEVEN', 2.5, 3],
    ]);
    const stats = source.stats();
    expect(stats.received).toBe(9);
    expect(stats.rejected).toEqual({ invalid_value: 6 });
    expect(stats.accepted).toBe(3);
    expectBalanced(stats);
  });

  it('groups registers into as few requests as the 125-register limit allows, reading through a gap only when allowed', async () => {
    const block = BLOCK.map((address) => ({ sensor: `B${address}`, address, type: 'uint16' as const }));
    const source = modbusSource({
      host: '127.0.0.1',
      port: device.port,
      addressing: 0,
      sensors,
      registers: block,
    });
    expect(source.plan.map((r) => [r.address, r.count])).toEqual([
      [100, 125],
      [225, 125],
      [350, 50],
    ]);
    const readings = await take(source, (r) => r.length === BLOCK.length);
    expect(readings.map((r) => r.value)).toEqual(BLOCK);
    expect(source.stats()).toMatchObject({ polls: 1, requests: 3 });

    const ten = modbusSource({
      host: '127.0.0.1',
      port: device.port,
      addressing: 0,
      sensors,
      registers: block,
      maxPerRequest: 10,
    });
    expect(ten.plan).toHaveLength(30);
    const tenReadings = await take(ten, (r) => r.length === BLOCK.length);
    expect(tenReadings.map((r) => r.value)).toEqual(BLOCK);
    expect(ten.stats().requests).toBe(30);

    const gapped = [
      { sensor: 'TEMP', address: 0, type: 'int16' as const },
      { sensor: 'SEVEN', address: 19, type: 'uint16' as const },
    ];
    const strict = modbusSource({
      host: '127.0.0.1',
      port: device.port,
      addressing: 0,
      sensors,
      registers: gapped,
    });
    expect(strict.plan.map((r) => [r.address, r.count])).toEqual([
      [0, 1],
      [19, 1],
    ]);
    await strict.close();
    const through = modbusSource({
      host: '127.0.0.1',
      port: device.port,
      addressing: 0,
      sensors,
      registers: gapped,
      maxGap: 18,
    });
    expect(through.plan).toEqual([{ kind: 'holding', address: 0, count: 20, sensors: ['TEMP', 'SEVEN'] }]);
    const both = await take(through, (r) => r.length === 2);
    expect(both.map((r) => r.value)).toEqual([-1234, 7]);
    expect(through.stats().requests).toBe(1);
  });

  it('sees registers change from poll to poll; seq numbers the polls and its gaps are the missed ones', async () => {
    const source = modbusSource({
      host: '127.0.0.1',
      port: device.port,
      addressing: 0,
      pollMs: 30,
      sensors,
      registers: [
        { sensor: 'COUNTER', address: 20, type: 'uint16' },
        { sensor: 'UPTIME', address: 21, type: 'float32', wordOrder: 'big' },
      ],
    });
    const readings = await take(source, (r) => r.length === 10);
    const uptime = readings.filter((r) => r.sensor_id === 'UPTIME');
    expect(uptime).toHaveLength(5);
    // The peer ticks every 10 ms in the event loop that also answers the polls, so on a loaded
    // machine two polls 30 ms apart may see the same tick: values never go back, and they change.
    for (let i = 1; i < uptime.length; i++) {
      expect(uptime[i]!.value).toBeGreaterThanOrEqual(uptime[i - 1]!.value);
      expect(uptime[i]!.time).toBeGreaterThan(uptime[i - 1]!.time);
      expect(uptime[i]!.seq).toBeGreaterThan(uptime[i - 1]!.seq!);
    }
    expect(uptime.at(-1)!.value).toBeGreaterThan(uptime[0]!.value);
    const counters = readings.filter((r) => r.sensor_id === 'COUNTER').map((r) => r.value);
    expect(counters).toHaveLength(5);
    expect(new Set(counters).size).toBeGreaterThan(1);
    const stats = source.stats();
    const last = uptime.at(-1)!.seq!;
    // Each poll either brought values (5 polls) or was missed; none failed.
    expect(last - 5).toBe(stats.missedPolls);
    expect(stats.failedPolls).toBe(0);
  });

  it('polls back to back with pollMs 0: consecutive poll numbers, none missed', async () => {
    const source = modbusSource({
      host: '127.0.0.1',
      port: device.port,
      addressing: 0,
      pollMs: 0,
      sensors,
      registers: [{ sensor: 'SEVEN', address: 19, type: 'uint16' }],
    });
    const readings = await take(source, (r) => r.length === 50);
    expect(readings.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(source.stats()).toMatchObject({ missedPolls: 0, failedPolls: 0 });
    expect(() =>
      modbusSource({
        host: '127.0.0.1',
        addressing: 0,
        pollMs: 0.5,
        sensors,
        registers: [{ sensor: 'SEVEN', address: 19, type: 'uint16' }],
      }),
    ).toThrow(/pollMs must be a finite number >= 1 \(ms\) \(or 0: back to back\), got 0\.5/);
  });

  it('stamps readings with the clock option (a plant at a speed-up), polling on the wall clock', async () => {
    // A plant that runs 600 times faster than real time from a calendar instant of its own.
    const start = Date.UTC(2026, 0, 5, 6);
    const wallStart = Date.now();
    const clock = () => start + (Date.now() - wallStart) * 600;
    const source = modbusSource({
      host: '127.0.0.1',
      port: device.port,
      addressing: 0,
      pollMs: 50,
      sensors,
      clock,
      registers: [{ sensor: 'SEVEN', address: 19, type: 'uint16' }],
    });
    const readings = await take(source, (r) => r.length === 4);
    for (const r of readings) {
      expect(r.timestamp).toBe(new Date(r.time).toISOString());
      // Stamped by the plant's calendar: days before this machine's clock, and never ahead of the plant's.
      expect(r.time).toBeGreaterThanOrEqual(start);
      expect(r.time).toBeLessThanOrEqual(clock());
      expect(r.receivedAt).toBeGreaterThanOrEqual(wallStart);
    }
    // 50 ms apart on the wall clock (the poll schedule) are 30 s apart on the plant's (50 × 600).
    const steps = readings.slice(1).map((r, i) => r.time - readings[i]!.time);
    for (const step of steps) expect(step).toBeGreaterThanOrEqual(25_000);
    const wallSpan = readings.at(-1)!.receivedAt - readings[0]!.receivedAt;
    expect(readings.at(-1)!.time - readings[0]!.time).toBeGreaterThan(wallSpan * 500);
  });

  it('refuses a clock that is not a function, and fails the iteration naming a clock that returns no time', async () => {
    expect(() =>
      modbusSource({
        host: '127.0.0.1',
        addressing: 0,
        sensors,
        clock: 12 as never,
        registers: [{ sensor: 'SEVEN', address: 19, type: 'uint16' }],
      }),
    ).toThrow(/clock must be a function returning the time in epoch ms, got 12/);
    const source = modbusSource({
      host: '127.0.0.1',
      port: device.port,
      addressing: 0,
      pollMs: 20,
      sensors,
      clock: () => Number.NaN,
      registers: [{ sensor: 'SEVEN', address: 19, type: 'uint16' }],
    });
    await expect(take(source, () => true)).rejects.toThrow(
      /options\.clock returned NaN, not a time in epoch ms\. Return a finite number of milliseconds since 1970/,
    );
    await source.close();
  });

  it('lets a slow consumer hold back the polls: nothing is dropped, the due polls it delays are counted as missed', async () => {
    const source = modbusSource({
      host: '127.0.0.1',
      port: device.port,
      addressing: 0,
      pollMs: 10,
      capacity: 2,
      sensors,
      registers: [{ sensor: 'COUNTER', address: 20, type: 'uint16' }],
    });
    const iterator = source[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const held = source.stats();
    // The channel holds 2 and the poll waiting to put its value holds 1 more; no further polls ran.
    expect(held.pending).toBeLessThanOrEqual(3);
    expect(held.polls).toBeLessThanOrEqual(4);
    expect(held.dropped).toEqual({});
    expectBalanced(held);
    for (let i = 0; i < 5; i++) await iterator.next();
    const stats = source.stats();
    expect(stats.missedPolls).toBeGreaterThan(10);
    await iterator.return?.();
    const closed = source.stats();
    expectBalanced(closed);
    expect(closed.accepted).toBe(6);
  });

  it('keeps the link after a Modbus exception: the failed request is counted, the other requests still bring values', async () => {
    const source = modbusSource({
      host: '127.0.0.1',
      port: device.port,
      addressing: 0,
      pollMs: 20,
      sensors,
      registers: [
        { sensor: 'TEMP', address: 0, type: 'int16' },
        { sensor: 'MISSING', address: 1500, type: 'uint16' }, // past the device's 1000 registers
      ],
    });
    const events: TwinEvent[] = [];
    source.onEvent((e) => events.push(e));
    const readings = await take(source, (r) => r.length === 3);
    expect(readings.map((r) => r.value)).toEqual([-1234, -1234, -1234]);
    const stats = source.stats();
    expect(stats.failedPollsBy.exception).toBe(stats.failedPolls);
    expect(stats.failedPolls).toBeGreaterThanOrEqual(2);
    expect(stats.reconnects).toBe(0);
    expect(events.map((e) => [e.event_type, e.details.reason])).toEqual([['source_error', 'exception']]);
    expect(String(events[0]?.details.error)).toMatch(/Illegal data address/);
  });

  it('times out every request on a device that accepts connections and never answers, and keeps retrying', async () => {
    const sockets = new Set<Socket>();
    const stalled: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const port = (stalled.address() as { port: number }).port;
    try {
      const source = modbusSource({
        host: '127.0.0.1',
        port,
        addressing: 0,
        pollMs: 20,
        timeoutMs: 80,
        backoff: { initialMs: 20, maxMs: 40 },
        sensors,
        registers: [{ sensor: 'TEMP', address: 0, type: 'int16' }],
      });
      const events: TwinEvent[] = [];
      source.onEvent((e) => events.push(e));
      await source.start();
      await until(() => source.stats().failedPollsBy.timeout >= 3, 5000, '3 timed-out polls');
      await source.close();
      const stats = source.stats();
      expect(stats.failedPolls).toBe(stats.failedPollsBy.timeout);
      expect(stats.received).toBe(0);
      // A new client after each timeout: connections to the stalled device succeed.
      expect(stats.reconnects).toBeGreaterThanOrEqual(2);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        event_type: 'source_disconnected',
        severity: 'warning',
        details: { reason: 'timeout', lastReadingAt: null },
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => stalled.close(resolve));
    }
  });

  it('refuses to start when nothing listens, naming the address and the cause', async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as { port: number }).port;
    await new Promise((resolve) => free.close(resolve));
    const source = modbusSource({
      host: '127.0.0.1',
      port,
      addressing: 0,
      sensors,
      registers: [{ sensor: 'TEMP', address: 0, type: 'int16' }],
    });
    await expect(source.start()).rejects.toThrow(
      new RegExp(`could not connect to 127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED`),
    );
    expect(source.stats().connected).toBe(false);
  });
});

describe('modbusSource when the device is killed and restarted', () => {
  it('recovers within its backoff and reports the gap in its events and stats', async () => {
    const own = await startModbusServer();
    const backoff = { initialMs: 50, maxMs: 400 };
    const source = modbusSource({
      host: '127.0.0.1',
      port: own.port,
      addressing: 0,
      pollMs: 25,
      timeoutMs: 200,
      backoff,
      sensors,
      registers: [{ sensor: 'COUNTER', address: 20, type: 'uint16' }],
    });
    const events: TwinEvent[] = [];
    source.onEvent((e) => events.push(e));
    const readings: Reading[] = [];
    const consuming = (async () => {
      for await (const reading of source) readings.push(reading);
    })();
    try {
      await until(() => readings.length >= 5, 5000, '5 readings');
      await own.kill();
      const killedAt = Date.now();
      await until(() => events.length >= 1, 5000, 'the disconnect event');
      await new Promise((resolve) => setTimeout(resolve, 700));
      await own.restart();
      const upAt = Date.now();
      const before = readings.length;
      await until(() => events.length >= 2 && readings.length > before, 10_000, 'the reconnect');
      const recoveredIn = Date.now() - upAt;
      // Within the longest backoff wait, one failed attempt's timeout, a poll period, and slack for a shared machine.
      expect(recoveredIn).toBeLessThan(backoff.maxMs + 200 + 25 + 1500);

      const [down, up] = events;
      expect(down).toMatchObject({ event_type: 'source_disconnected', severity: 'warning' });
      expect(['connection', 'timeout']).toContain(down?.details.reason);
      expect(up).toMatchObject({ event_type: 'source_reconnected', severity: 'info' });
      const gapMs = up?.details.gapMs as number;
      expect(gapMs).toBeGreaterThanOrEqual(upAt - killedAt);
      expect(Date.parse(up?.details.to as string) - Date.parse(up?.details.from as string)).toBe(gapMs);

      await source.close();
      await consuming;
      const stats = source.stats();
      expect(stats.gaps).toBe(1);
      expect(stats.lastGapMs).toBe(gapMs);
      expect(stats.reconnects).toBeGreaterThanOrEqual(1);
      expect(stats.failedPolls).toBeGreaterThanOrEqual(1);
      expect(up?.details.failedPolls).toBe(stats.failedPolls);
      // Every poll number is accounted for: it brought a reading, failed, or was missed.
      const seqs = readings.map((r) => r.seq!);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs.at(-1)! - seqs.length).toBe(stats.failedPolls + stats.missedPolls);
      expectBalanced(stats);
      expect(stats.received).toBe(readings.length);
    } finally {
      await source.close();
      await own.kill();
    }
  });
});

describe('modbusSource options', () => {
  const base = {
    host: '127.0.0.1',
    addressing: 0 as const,
    sensors,
    registers: [{ sensor: 'TEMP', address: 0, type: 'int16' as const }],
  };
  const refused = (options: unknown): TwinkitError => {
    try {
      modbusSource(options as never);
    } catch (error) {
      expect(error).toBeInstanceOf(TwinkitError);
      return error as TwinkitError;
    }
    throw new Error('expected a refusal');
  };

  it('requires an explicit addressing, saying why', () => {
    const { addressing: _addressing, ...rest } = base;
    expect(refused(rest).message).toMatch(
      /addressing is required and must be 0 or 1.*got undefined\. There is no safe default: a wrong guess reads every value one register off/,
    );
    expect(refused({ ...base, addressing: 40001 }).message).toMatch(/got 40001/);
  });

  it('refuses unknown keys naming the closest, and malformed registers naming the rule', () => {
    expect(refused({ ...base, pollMS: 100 }).message).toMatch(
      /unknown option 'pollMS'.*Did you mean 'pollMs'\?/,
    );
    expect(refused({ ...base, backoff: { initalMs: 5 } }).message).toMatch(/Did you mean 'initialMs'\?/);
    expect(
      refused({ ...base, registers: [{ sensor: 'TEMP', address: 0, type: 'float32' }] }).message,
    ).toMatch(/wordOrder is required for float32/);
    expect(refused({ ...base, registers: [{ sensor: 'NOPE', address: 0, type: 'int16' }] }).message).toMatch(
      /registers\[0\]: sensor must be the id of a sensor in the registry, got "NOPE"/,
    );
    expect(
      refused({ ...base, addressing: 1, registers: [{ sensor: 'TEMP', address: 0, type: 'int16' }] }).message,
    ).toMatch(/address must be an integer in \[1, 65536\].*Address 0 does not exist in 1-based addressing/);
    expect(
      refused({ ...base, registers: [{ sensor: 'TEMP', address: 65535, type: 'uint32', wordOrder: 'big' }] })
        .message,
    ).toMatch(/address must be an integer in \[0, 65534\]/);
    expect(
      refused({ ...base, registers: [{ sensor: 'TEMP', address: 0, type: 'int16', wordOrdr: 'big' }] })
        .message,
    ).toMatch(/unknown option 'wordOrdr'.*Did you mean 'wordOrder'\?/);
    expect(refused({ ...base, maxPerRequest: 126 }).message).toMatch(
      /maxPerRequest must be an integer in \[1, 125\]/,
    );
    expect(refused({ ...base, registers: [] }).message).toMatch(/registers must be a non-empty array/);
    expect(refused({ ...base, sensors: undefined }).message).toMatch(/sensors must be a sensor registry/);
  });
});
