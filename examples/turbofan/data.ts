/**
 * The C-MAPSS FD001 files and their telemetry: parsing the space-separated rows (unit, cycle, 3
 * operational settings, 21 sensors), turning an engine's rows into readings in the design
 * document's telemetry schema, and replaying them through `fileSource`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSource, type Reading } from '@twinkit/adapters';
import { invalidArgument } from '../support/invalid-argument';

/** The repository's copy of the data (fixtures/cmapss). */
export const CMAPSS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/cmapss');

/** One engine: its unit number and, per cycle, the 3 settings and 21 sensors (row i is cycle i + 1). */
export interface Engine {
  unit: number;
  cycles: number[];
  settings: number[][];
  /** sensors[i][k - 1] is sensor k at row i. */
  sensors: number[][];
}

/** What each sensor of C-MAPSS measures (Saxena et al. 2008, table 2) and its unit (mathjs names). */
export const SENSOR_INFO: readonly { name: string; unit: string }[] = [
  { name: 'T2', unit: 'degR' },
  { name: 'T24', unit: 'degR' },
  { name: 'T30', unit: 'degR' },
  { name: 'T50', unit: 'degR' },
  { name: 'P2', unit: 'psi' },
  { name: 'P15', unit: 'psi' },
  { name: 'P30', unit: 'psi' },
  { name: 'Nf', unit: 'rpm' },
  { name: 'Nc', unit: 'rpm' },
  { name: 'epr', unit: '1' },
  { name: 'Ps30', unit: 'psi' },
  { name: 'phi', unit: 'pps/psi' },
  { name: 'NRf', unit: 'rpm' },
  { name: 'NRc', unit: 'rpm' },
  { name: 'BPR', unit: '1' },
  { name: 'farB', unit: '1' },
  { name: 'htBleed', unit: '1' },
  { name: 'Nf_dmd', unit: 'rpm' },
  { name: 'PCNfR_dmd', unit: 'rpm' },
  { name: 'W31', unit: 'lbm/s' },
  { name: 'W32', unit: 'lbm/s' },
];

/** The sensors with a trend in FD001 (1-based numbers), the inputs of the health indicator. */
export const INFORMATIVE_SENSORS: readonly number[] = [2, 3, 4, 7, 11, 12, 15, 17, 20, 21];

const COLUMNS = 26;

/** Parses the text of a C-MAPSS file into engines, in unit order; refuses a malformed row by line. */
export function parseCmapss(text: string, name = 'the file'): Engine[] {
  const api = 'parseCmapss(text)';
  const byUnit = new Map<number, Engine>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const fields = line.split(/\s+/).map(Number);
    if (fields.length !== COLUMNS || fields.some((v) => !Number.isFinite(v))) {
      throw invalidArgument(
        api,
        `line ${i + 1} of ${name} must hold ${COLUMNS} numbers (unit, cycle, 3 settings, 21 sensors)`,
        line,
        'Pass an unchanged C-MAPSS train_FD00x.txt or test_FD00x.txt file.',
      );
    }
    const unit = fields[0]!;
    const cycle = fields[1]!;
    let engine = byUnit.get(unit);
    if (engine === undefined) {
      engine = { unit, cycles: [], settings: [], sensors: [] };
      byUnit.set(unit, engine);
    }
    const expected = engine.cycles.length + 1;
    if (cycle !== expected) {
      throw invalidArgument(
        api,
        `line ${i + 1} of ${name}: engine ${unit}'s cycles must run 1, 2, 3, ... (expected ${expected})`,
        cycle,
        'Pass the rows of each engine in cycle order, as the C-MAPSS files hold them.',
      );
    }
    engine.cycles.push(cycle);
    engine.settings.push(fields.slice(2, 5));
    engine.sensors.push(fields.slice(5));
  }
  return [...byUnit.values()].sort((a, b) => a.unit - b.unit);
}

/** Reads a C-MAPSS file from the repository's fixtures (or from `dir`). */
export function loadCmapss(file: 'train_FD001.txt' | 'test_FD001.txt', dir = CMAPSS_DIR): Engine[] {
  return parseCmapss(readFileSync(join(dir, file), 'utf8'), file);
}

/** A cycle's instant: one flight an hour from 1 January 2026, 00:00 UTC (cycle 1 at 01:00). */
export const CYCLE_EPOCH = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

/** The ISO timestamp of a cycle. */
export function cycleTimestamp(cycle: number): string {
  return new Date(CYCLE_EPOCH + cycle * HOUR).toISOString();
}

/** The cycle of a reading's source time (inverse of {@link cycleTimestamp}). */
export function cycleOf(time: number): number {
  return Math.round((time - CYCLE_EPOCH) / HOUR);
}

/** The telemetry topic of an engine's sensor. */
export function sensorSource(unit: number, sensor: number): string {
  return `fleet/fd001/engine${unit}/telemetry/${SENSOR_INFO[sensor - 1]!.name.toLowerCase()}`;
}

/** The sensor id of an engine's sensor: `E042-S11`. */
export function sensorId(unit: number, sensor: number): string {
  return `E${String(unit).padStart(3, '0')}-S${String(sensor).padStart(2, '0')}`;
}

/** A telemetry line in the design document's schema (what a JSON Lines file holds). */
export interface TelemetryLine {
  timestamp: string;
  source: string;
  value: number;
  unit: string;
  quality: 'good';
  sensor_id: string;
}

/** An engine's rows as telemetry lines, cycle by cycle, one line per sensor of `sensors`. */
export function engineTelemetry(
  engine: Engine,
  sensors: readonly number[] = INFORMATIVE_SENSORS,
): TelemetryLine[] {
  const lines: TelemetryLine[] = [];
  for (let i = 0; i < engine.cycles.length; i++) {
    const timestamp = cycleTimestamp(engine.cycles[i]!);
    for (const k of sensors) {
      lines.push({
        timestamp,
        source: sensorSource(engine.unit, k),
        value: engine.sensors[i]![k - 1]!,
        unit: SENSOR_INFO[k - 1]!.unit,
        quality: 'good',
        sensor_id: sensorId(engine.unit, k),
      });
    }
  }
  return lines;
}

/** Writes engines' telemetry as JSON Lines (engine after engine) to `path`; returns the line count. */
export function writeTelemetry(
  path: string,
  engines: readonly Engine[],
  sensors: readonly number[] = INFORMATIVE_SENSORS,
): number {
  const parts: string[] = [];
  for (const engine of engines)
    for (const line of engineTelemetry(engine, sensors)) parts.push(JSON.stringify(line));
  writeFileSync(path, `${parts.join('\n')}\n`);
  return parts.length;
}

/** Replayed telemetry, regrouped: per unit, per cycle, the values of `sensors` (NaN when missing). */
export interface Replayed {
  /** unit -> rows (cycle 1 first) of sensor values in the order of `sensors`. */
  units: Map<number, { cycles: number[]; values: number[][] }>;
  received: number;
  rejected: Record<string, number>;
}

const ID_PATTERN = /^E(\d{3})-S(\d{2})$/;

/**
 * Replays a telemetry file through `fileSource` (as fast as it is read) and regroups the readings by
 * engine and cycle. Readings of other sensors are ignored.
 */
export async function replayTelemetry(
  path: string,
  sensors: readonly number[] = INFORMATIVE_SENSORS,
): Promise<Replayed> {
  const column = new Map(sensors.map((k, j) => [k, j]));
  const units = new Map<number, { cycles: number[]; values: number[][]; rows: Map<number, number[]> }>();
  const source = fileSource({ path, format: 'jsonl' });
  for await (const reading of source as AsyncIterable<Reading>) {
    const match = ID_PATTERN.exec(reading.sensor_id);
    if (match === null) continue;
    const j = column.get(Number(match[2]));
    if (j === undefined) continue;
    const unit = Number(match[1]);
    let entry = units.get(unit);
    if (entry === undefined) {
      entry = { cycles: [], values: [], rows: new Map() };
      units.set(unit, entry);
    }
    const cycle = cycleOf(reading.time);
    let row = entry.rows.get(cycle);
    if (row === undefined) {
      row = new Array<number>(sensors.length).fill(Number.NaN);
      entry.rows.set(cycle, row);
      entry.cycles.push(cycle);
      entry.values.push(row);
    }
    row[j] = reading.value;
  }
  const stats = source.stats();
  const rejected: Record<string, number> = {};
  for (const [reason, count] of Object.entries(stats.rejected)) rejected[reason] = count as number;
  const out = new Map<number, { cycles: number[]; values: number[][] }>();
  for (const [unit, { cycles, values }] of units) out.set(unit, { cycles, values });
  return { units: out, received: stats.received, rejected };
}
