/**
 * Modbus polling through modbusSource against bare modbus-serial reads of the same registers, from
 * the same pymodbus device (Debian's python3-pymodbus, started as a child process; its CPU time is
 * not this process's). Two register maps: a PLC's typed map (13 registers of every type and word
 * order in 2 requests) and the same with a block of 125 registers (138 values in 3 requests), where
 * the cost per value dominates. Both contenders poll back to back (modbusSource with pollMs 0) over
 * one connection each; modbusSource also decodes every value into a Reading and hands it through its
 * channel to a `for await` consumer, the bare loop only sums the words.
 */
import { performance } from 'node:perf_hooks';
import { defineSensors } from '@twinkit/adapters';
import { type ModbusRegister, modbusSource } from '@twinkit/adapters/modbus';
import ModbusRTU from 'modbus-serial';
import { pymodbusVersion, startModbusServer } from '../../../packages/adapters/test-support/modbus-server';
import { type BenchCase, type BenchResult, cpuMs, rateResult } from '../harness';

const SUITE = 'adapters';
const CASE = 'modbus-poll';
const HOST = '127.0.0.1';

const TYPED: ModbusRegister[] = [
  { sensor: 'H0', address: 0, type: 'int16' },
  { sensor: 'H1', address: 1, type: 'uint16' },
  { sensor: 'H2', address: 2, type: 'int32', wordOrder: 'big' },
  { sensor: 'H4', address: 4, type: 'int32', wordOrder: 'little' },
  { sensor: 'H6', address: 6, type: 'uint32', wordOrder: 'big' },
  { sensor: 'H8', address: 8, type: 'uint32', wordOrder: 'little' },
  { sensor: 'H10', address: 10, type: 'float32', wordOrder: 'big' },
  { sensor: 'H12', address: 12, type: 'float32', wordOrder: 'little' },
  { sensor: 'I0', address: 0, type: 'int16', kind: 'input' },
  { sensor: 'I1', address: 1, type: 'uint16', kind: 'input' },
  { sensor: 'I2', address: 2, type: 'float32', wordOrder: 'little', kind: 'input' },
  { sensor: 'I4', address: 4, type: 'int32', wordOrder: 'big', kind: 'input' },
  { sensor: 'I6', address: 6, type: 'uint32', wordOrder: 'little', kind: 'input' },
];
const BLOCK: ModbusRegister[] = Array.from({ length: 125 }, (_, i) => ({
  sensor: `B${100 + i}`,
  address: 100 + i,
  type: 'uint16',
}));
type Request = { kind: 'holding' | 'input'; address: number; count: number };
interface Workload {
  name: string;
  registers: ModbusRegister[];
  /** The same requests, for the bare loop. */
  requests: readonly Request[];
}
const TYPED_REQUESTS: Request[] = [
  { kind: 'holding', address: 0, count: 14 },
  { kind: 'input', address: 0, count: 8 },
];
const WORKLOADS: readonly Workload[] = [
  { name: 'typed map', registers: TYPED, requests: TYPED_REQUESTS },
  {
    name: 'typed map + 125-register block',
    registers: [...TYPED, ...BLOCK],
    requests: [...TYPED_REQUESTS, { kind: 'holding', address: 100, count: 125 }],
  },
];
const sensors = defineSensors(
  [...TYPED, ...BLOCK].map((r) => ({
    id: r.sensor,
    source: `factory/bench/plc/telemetry/${r.sensor.toLowerCase()}`,
    unit: '1',
  })),
);

interface Round {
  polls: number;
  cpuMs: number;
  wallMs: number;
}

async function sourceRound(workload: Workload, port: number, minMs: number): Promise<Round> {
  const perPoll = workload.registers.length;
  const source = modbusSource({
    host: HOST,
    port,
    addressing: 0,
    pollMs: 0,
    timeoutMs: 5000,
    sensors,
    registers: workload.registers,
  });
  if (source.plan.length !== workload.requests.length)
    throw new Error(
      `modbus-poll: expected ${workload.requests.length} requests, plan has ${source.plan.length}`,
    );
  let n = 0;
  let sum = 0;
  let wall0 = 0;
  let cpu0 = 0;
  let round: Round = { polls: 0, cpuMs: 0, wallMs: 0 };
  for await (const reading of source) {
    sum += reading.value;
    n += 1;
    if (n === perPoll) {
      // The clock starts after the first poll: connecting is not polling.
      wall0 = performance.now();
      cpu0 = cpuMs();
    } else if (n % perPoll === 0 && performance.now() - wall0 >= minMs) {
      // Stopped before the break, which closes the source: closing is not polling either.
      round = { polls: n / perPoll - 1, cpuMs: cpuMs() - cpu0, wallMs: performance.now() - wall0 };
      break;
    }
  }
  if (!Number.isFinite(sum) || source.stats().failedPolls > 0) throw new Error('modbus-poll: a poll failed');
  return round;
}

async function bareRound(workload: Workload, port: number, minMs: number): Promise<Round> {
  const client = new ModbusRTU();
  await client.connectTCP(HOST, { port });
  client.setID(1);
  client.setTimeout(5000);
  let polls = 0;
  let sum = 0;
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  while (performance.now() - wall0 < minMs) {
    for (const request of workload.requests) {
      const result =
        request.kind === 'holding'
          ? await client.readHoldingRegisters(request.address, request.count)
          : await client.readInputRegisters(request.address, request.count);
      for (const word of result.data) sum += word;
    }
    polls += 1;
  }
  const round = { polls, cpuMs: cpuMs() - cpu0, wallMs: performance.now() - wall0 };
  await new Promise<void>((resolve) => client.close(() => resolve()));
  if (!Number.isFinite(sum)) throw new Error('modbus-poll: bad sum');
  return round;
}

export const cases: BenchCase[] = [
  {
    suite: SUITE,
    name: CASE,
    async run({ quick }): Promise<BenchResult[]> {
      const pymodbus = pymodbusVersion();
      if (!pymodbus.ok) {
        // Said in the table and in latest.json, not hidden: the case could not run here.
        return [
          {
            suite: SUITE,
            case: CASE,
            metric: 'SKIPPED: no Modbus device (python3-pymodbus)',
            value: 0,
            unit: '-',
            reference: null,
            ratio: null,
            note: `skipped: ${pymodbus.why}`,
          },
        ];
      }
      const device = await startModbusServer();
      const results: BenchResult[] = [];
      try {
        const minMs = quick ? 100 : 1500;
        const rounds = quick ? 2 : 5;
        for (const workload of WORKLOADS) {
          const best = { source: { cpu: 0, wall: 0 }, bare: { cpu: 0, wall: 0 } };
          for (let r = 0; r < rounds + 1; r++) {
            // Alternate, and let the first round of each warm up (JIT, the device's caches).
            for (const [name, round] of [
              ['bare', bareRound],
              ['source', sourceRound],
            ] as const) {
              const result = await round(workload, device.port, minMs);
              if (r === 0) continue;
              const b = best[name];
              b.cpu = Math.max(b.cpu, result.polls / (result.cpuMs / 1000));
              b.wall = Math.max(b.wall, result.polls / (result.wallMs / 1000));
            }
          }
          const shape = `${workload.registers.length} registers in ${workload.requests.length} requests`;
          const note = `pymodbus ${pymodbus.version} on 127.0.0.1; ${shape} per poll, back to back; modbusSource yields a Reading per value to a for-await consumer, the bare loop sums the words`;
          const reference = (value: number) => ({ name: 'bare modbus-serial', value });
          results.push(
            rateResult(
              SUITE,
              CASE,
              `${workload.name}: polls per CPU second`,
              'polls/s',
              best.source.cpu,
              reference(best.bare.cpu),
              { goal: 0.8, note },
            ),
            rateResult(
              SUITE,
              CASE,
              `${workload.name}: polls per wall second`,
              'polls/s',
              best.source.wall,
              reference(best.bare.wall),
              { goal: 0.8, note: `${note}; wall time includes the device's answer time` },
            ),
          );
        }
        return results;
      } finally {
        await device.kill();
      }
    },
  },
];
