/**
 * What the MQTT benchmarks share: whether Mosquitto answers on 127.0.0.1:1883, and the line that
 * says so in the table when it does not (a case that cannot run is reported, not hidden).
 */
import { connectAsync } from 'mqtt';
import type { BenchResult } from '../harness';

/** The broker the MQTT benchmarks measure through. */
export const MOSQUITTO_URL = 'mqtt://127.0.0.1:1883';

/** Resolves with why the broker cannot be reached, or undefined when it answers. */
export async function brokerDown(): Promise<string | undefined> {
  try {
    const client = await connectAsync(MOSQUITTO_URL, { reconnectPeriod: 0, connectTimeout: 2000 });
    await client.endAsync();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The result line of a case skipped for want of a broker. */
export function skippedForBroker(suite: string, name: string, why: string): BenchResult[] {
  return [
    {
      suite,
      case: name,
      metric: 'SKIPPED: no MQTT broker on 127.0.0.1:1883',
      value: 0,
      unit: '-',
      reference: null,
      ratio: null,
      note: `skipped: ${why}`,
    },
  ];
}
