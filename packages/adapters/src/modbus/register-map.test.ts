// Decoding and request planning are pure: checked here against Node's Buffer encoders and with
// fast-check; the same decoding against a real device is in modbus-source.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSensors } from '../sensors';
import { decodeRegister, type ModbusRegister, planRequests } from './register-map';

/** The registers of a 32-bit value as a device in this word order sends them. */
function wordsOf(write: (b: Buffer) => void, order: 'big' | 'little'): number[] {
  const b = Buffer.alloc(4);
  write(b);
  const high = b.readUInt16BE(0);
  const low = b.readUInt16BE(2);
  return order === 'big' ? [high, low] : [low, high];
}

describe('decodeRegister', () => {
  it('round-trips every 32-bit type in both word orders, and 16-bit types', () => {
    const order = fc.constantFrom('big' as const, 'little' as const);
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), order, (v, o) => {
        expect(
          decodeRegister(
            wordsOf((b) => b.writeInt32BE(v), o),
            0,
            'int32',
            o,
          ),
        ).toBe(v);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), order, (v, o) => {
        expect(
          decodeRegister(
            wordsOf((b) => b.writeUInt32BE(v), o),
            0,
            'uint32',
            o,
          ),
        ).toBe(v);
      }),
    );
    fc.assert(
      fc.property(fc.float({ noNaN: true }), order, (v, o) => {
        expect(
          decodeRegister(
            wordsOf((b) => b.writeFloatBE(v), o),
            0,
            'float32',
            o,
          ),
        ).toBe(v);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -32768, max: 32767 }), (v) => {
        expect(decodeRegister([v & 0xffff], 0, 'int16')).toBe(v);
        expect(decodeRegister([v & 0xffff], 0, 'uint16')).toBe(v & 0xffff);
      }),
    );
  });

  it('decodes NaN and Infinity as such (the source rejects them), and refuses words that are not there', () => {
    expect(decodeRegister([0x7fc0, 0], 0, 'float32', 'big')).toBeNaN();
    expect(decodeRegister([0, 0x7f80], 0, 'float32', 'little')).toBe(Number.POSITIVE_INFINITY);
    expect(() => decodeRegister([1], 0, 'uint32', 'big')).toThrow(/needs words at 0 and 1/);
    expect(() => decodeRegister([], 0, 'int16')).toThrow(/at 0 must be the index of a word/);
  });
});

describe('planRequests', () => {
  const sensors = defineSensors(
    Array.from({ length: 60 }, (_, i) => ({ id: `S${i}`, source: `f/a/m/telemetry/s${i}`, unit: '1' })),
  );
  const register = fc.record({
    address: fc.integer({ min: 0, max: 400 }),
    type: fc.constantFrom('int16' as const, 'uint16' as const, 'int32' as const, 'float32' as const),
    kind: fc.constantFrom('holding' as const, 'input' as const),
  });

  it('covers every register once, within the request limit, in as few requests as contiguity allows', () => {
    fc.assert(
      fc.property(
        fc.array(register, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 2, max: 125 }),
        fc.integer({ min: 0, max: 10 }),
        (specs, maxPerRequest, maxGap) => {
          const registers: ModbusRegister[] = specs.map((s, i) => ({
            ...s,
            sensor: `S${i}`,
            wordOrder: 'big',
          }));
          const plan = planRequests(registers, {
            api: 'test',
            sensors,
            addressing: 0,
            maxGap,
            maxPerRequest,
          });
          const served = plan.flatMap((r) => r.sensors).sort();
          expect(served).toEqual(registers.map((r) => r.sensor).sort());
          for (const request of plan) {
            expect(request.count).toBeLessThanOrEqual(maxPerRequest);
            for (const planned of request.registers) {
              const source = registers.find((r) => r.sensor === planned.sensor.id)!;
              expect(request.kind).toBe(source.kind);
              expect(request.address + planned.at).toBe(source.address);
              const words = source.type === 'int16' || source.type === 'uint16' ? 1 : 2;
              expect(planned.at + words).toBeLessThanOrEqual(request.count);
            }
          }
          // Two consecutive requests of one kind could not have been one: too far apart or too long.
          for (let i = 1; i < plan.length; i++) {
            const [a, b] = [plan[i - 1]!, plan[i]!];
            if (a.kind !== b.kind) continue;
            const end = a.address + a.count;
            const merged = Math.max(end, b.address + b.count) - a.address;
            expect(b.address > end + maxGap || merged > maxPerRequest).toBe(true);
          }
        },
      ),
    );
  });
});
