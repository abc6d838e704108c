// `npm run factory -- --live` end to end on this machine only (127.0.0.1): the embedded broker, the
// virtual plant at 600x (10 plant minutes per wall second), the twin over MQTT and Modbus TCP, and
// its service; then a clean stop by --for.
import { type AddressInfo, createServer } from 'node:net';
import type { Reading, TwinContext } from '@twinkit/adapters';
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { type Factory, factory } from '../model';
import { DEFAULTS } from '../params';
import { EPOCH, twinParams } from '../twin';
import { type LiveRunning, runLive } from './main';
import { LIVE_USAGE, parseLiveOptions } from './options';
import { liveAssimilation, liveSensors, PLC_REGISTER_MAP } from './twin';

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    env: {} as Record<string, string | undefined>,
  };
  return { out, io };
}

const until = async (condition: () => boolean, ms: number, what: string) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('npm run factory -- --live', () => {
  it('runs plant, twin and service: readings flow over MQTT and Modbus into the twin, the state goes out, the service needs a token, and --for stops it all', async () => {
    const started = Date.now();
    const { out, io } = capture();
    let running: LiveRunning | undefined;
    const run = runLive(['--live', '--speed', '600', '--port', '0', '--for', '8', '--machines', '3'], io, {
      onReady: (r) => {
        running = r;
      },
    });
    await until(() => running !== undefined || out.stderr !== '', 15_000, 'the live twin to start');
    expect(out.stderr).toBe('');
    const r = running as LiveRunning;

    // Everything listens on this machine only.
    expect(r.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(r.plant.modbus.host).toBe('127.0.0.1');
    expect(r.service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // The banner: the dashboard URL and one labelled development token per role.
    expect(out.stdout).toContain(`Dashboard: ${r.service.url}/`);
    expect(out.stdout).toMatch(
      /Development tokens \(valid 12h; signed with a random secret of this run only/,
    );
    for (const role of ['operator', 'engineer', 'admin'] as const)
      expect(out.stdout).toContain(`  ${role.padEnd(9)} ${r.service.url}/#token=${r.tokens[role]}`);

    // The synchronized state goes out over MQTT.
    const states: { timestamp: string; assets: Record<string, { variables: { health?: unknown } }> }[] = [];
    const client = await connectAsync(r.mqtt, { clientId: `live-test-${process.pid}` });
    client.on('message', (topic, payload) => {
      if (topic === 'factory/simulation/state/sync') states.push(JSON.parse(payload.toString('utf8')));
    });
    await client.subscribeAsync('factory/simulation/state/sync', { qos: 1 });

    // The service: public page, 401 without a token, the state with one.
    const page = await fetch(`${r.service.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect((await fetch(`${r.service.url}/v1/simulation/state`)).status).toBe(401);
    const state = await fetch(`${r.service.url}/v1/simulation/state`, {
      headers: { authorization: `Bearer ${r.tokens.operator}` },
    });
    expect(state.status).toBe(200);
    const body = (await state.json()) as { assets: Record<string, unknown> };
    expect(Object.keys(body.assets).sort()).toEqual(['M1', 'M2', 'M3']);
    const assets = (await (
      await fetch(`${r.service.url}/v1/assets`, { headers: { authorization: `Bearer ${r.tokens.operator}` } })
    ).json()) as { assets: { id: string; sensors: { id: string; protocol: string }[] }[] };
    expect(assets.assets.find((a) => a.id === 'M1')?.sensors.map((s) => [s.id, s.protocol])).toEqual([
      ['VIB-001', 'modbus'],
      ['TEMP-001', 'modbus'],
      ['PLC-001', 'modbus'],
    ]);

    // Readings reach the twin through both sources while it runs.
    const accepted = (name: string) => r.live.twin.stats().sources[name]?.stats.accepted ?? 0;
    await until(
      () =>
        accepted(r.live.mqttSource.name) > 0 && accepted(r.live.modbusSource.name) > 0 && states.length > 0,
      10_000,
      'readings over MQTT and Modbus and a published state',
    );

    expect(await run).toBe(0);
    expect(out.stderr).toBe('');
    expect(Date.now() - started).toBeLessThan(25_000);
    await client.endAsync();

    const s = r.live.twin.stats();
    const mqtt = s.sources[r.live.mqttSource.name]!;
    const modbus = s.sources[r.live.modbusSource.name]!;
    // 8 s at 600x is 80 plant minutes: 16 vibration, 5 temperature and 17 periodic state readings
    // per machine, give or take one; machine 1's PLC is polled every 250 ms.
    expect(mqtt.stats.accepted).toBeGreaterThan(50);
    expect(modbus.stats.accepted).toBeGreaterThan(40);
    expect(s.readings.received).toBe(mqtt.stats.accepted + modbus.stats.accepted);
    expect(mqtt.stats.rejected).toEqual({});
    expect(modbus.stats.rejected).toEqual({});
    // Every reading the twin received is accounted for.
    const skipped = Object.values(s.readings.skipped).reduce((a, b) => a + b, 0);
    expect(s.readings.received).toBe(
      s.readings.assimilated + skipped + (s.readings.late - s.readings.lateApplied) + s.readings.duplicate,
    );
    // The twin stays a wall second behind the plant: only a stall of the event loop longer than
    // that (a loaded machine) makes a reading late, and it is counted above.
    expect(s.readings.late).toBeLessThan(0.05 * s.readings.received);
    expect(s.errors).toEqual({ count: 0, last: null });
    // Machine 1's samples came over Modbus: each new register value once, the repeats skipped.
    const counts = r.live.assimilation.inner.counts;
    expect(counts.used).toBeGreaterThan(0);
    expect(s.readings.skipped.register_unchanged).toBeGreaterThan(0);
    expect(s.readings.skipped.state_unchanged).toBeGreaterThan(0);

    // The twin tracks the hidden truth of every machine, machine 1 (Modbus) as the others (MQTT).
    const final = r.live.twin.state();
    r.plant.sim.model.machines.forEach((machine, i) => {
      const h = final.assets[`M${i + 1}`]!.variables.health!;
      expect(Math.abs(h.mean - machine.health), `machine ${i + 1}`).toBeLessThanOrEqual(4 * h.sd + 1);
    });

    // Published over MQTT: states with every machine's health.
    expect(s.published.state).toBeGreaterThan(3);
    expect(states.at(-1)!.assets.M1!.variables.health).toMatchObject({ mean: expect.any(Number) });
    expect(s.sinks[r.live.sink.name]).toMatchObject({ failed: 0 });

    // The closing summary, then nothing listens any more.
    expect(out.stdout).toMatch(/Twin: \d+ readings received \(MQTT \d+, Modbus \d+\), \d+ assimilated/);
    await expect(fetch(`${r.service.url}/health`)).rejects.toThrow();
  }, 30_000);

  it('refuses bad options with exit code 2, the reason and the usage', async () => {
    for (const [argv, message] of [
      [['--speed', '0'], /--speed must be a number > 0 and at most 100000.*got 0/],
      [['--speed', 'fast'], /--speed must be a number, got "fast"/],
      [['--port', '70000'], /--port must be an integer from 0 to 65535, got 70000/],
      [
        ['--machines', '1'],
        /--machines must be an integer from 2 to 50, got 1: the live plant reads machine 1 over Modbus/,
      ],
      [['--mqtt', 'localhost:1883'], /--mqtt must be a broker URL such as mqtt:\/\/127\.0\.0\.1:1883/],
      [['--mqtt', 'mqtt://127.0.0.1:1883', '--mqtt-port', '1884'], /give one of them/],
      [['--for', '-1'], /--for must be a number of wall seconds > 0, got -1/],
      [['--sped', '60'], /unknown option --sped\. The live twin's options are --speed/],
      [['--speed'], /--speed needs a value, e.g\. --speed 60/],
      [['--seed', '1', '--seed', '2'], /--seed is given twice/],
    ] as const) {
      const { out, io } = capture();
      expect(await runLive(argv, io), argv.join(' ')).toBe(2);
      expect(out.stderr).toMatch(message);
      expect(out.stderr).toContain(LIVE_USAGE);
      expect(out.stdout).toBe('');
    }
  });

  it('says which port is taken and what to pass instead, and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as AddressInfo).port;
    const { out, io } = capture();
    try {
      expect(await runLive(['--port', String(port), '--for', '1', '--machines', '2'], io)).toBe(1);
    } finally {
      blocker.close();
    }
    expect(out.stderr).toMatch(
      new RegExp(
        `cannot listen on 127\\.0\\.0\\.1:${port} .*EADDRINUSE.*Pass --port N for another port, or --port 0 for any free one\\.`,
      ),
    );
    expect(out.stdout).toBe('');
  });

  it('prints the usage with --help, and takes the defaults of the issue (60x, port 8080, an embedded broker)', async () => {
    const { out, io } = capture();
    expect(await runLive(['--live', '--help'], io)).toBe(0);
    expect(out.stdout).toBe(LIVE_USAGE);
    expect(parseLiveOptions(['--live'])).toEqual({
      speed: 60,
      mqtt: undefined,
      mqttPort: 0,
      port: 8080,
      forSeconds: undefined,
      machines: 5,
      technicians: 5,
      seed: 1,
      help: false,
    });
  });
});

describe('liveAssimilation', () => {
  const params = { ...DEFAULTS, machines: 2 };
  const setup = () => {
    const sim = factory.create({ seed: 2, params: twinParams(params) });
    const skipped: string[] = [];
    const events: string[] = [];
    const ctx: TwinContext<Factory> = {
      sim,
      setEstimate: () => {},
      observe: () => {},
      emit: (e) => events.push(e.event_type),
      skip: (reason) => skipped.push(reason),
    };
    const live = liveAssimilation(params, new Set(PLC_REGISTER_MAP.map((r) => r.sensor)));
    let n = 0;
    const feed = (sensor_id: string, value: number, minutes = 1) => {
      sim.advanceTo(sim.now + minutes);
      const time = EPOCH + sim.now * 60_000;
      const reading: Reading = {
        timestamp: new Date(time).toISOString(),
        time,
        source: '',
        value,
        unit: '',
        quality: 'good',
        sensor_id,
        receivedAt: 0,
        seq: ++n,
      };
      live.assimilate(ctx, reading);
    };
    return { sim, skipped, events, live, feed };
  };

  it('takes a PLC state as a report only when it changes: one failure per stop, repeats counted', () => {
    const { sim, skipped, events, live, feed } = setup();
    feed('PLC-002', 1);
    feed('PLC-002', 1);
    feed('PLC-002', 0);
    expect(sim.model.machines[1]!.down).toBe(true);
    feed('PLC-002', 0);
    feed('PLC-002', 0);
    expect(events).toEqual(['machine_failure']);
    expect(live.inner.counts.failureReports).toBe(1);
    expect(skipped).toEqual(['state_report', 'state_unchanged', 'state_unchanged', 'state_unchanged']);
  });

  it('takes a polled register as a sample when its value changes, not its first value, and flags samples taken while the PLC reports a stop', () => {
    const { skipped, live, feed } = setup();
    feed('VIB-001', 0.9); // what the register held when the twin came
    feed('VIB-001', 0.9);
    feed('VIB-001', 0.95);
    expect(live.inner.counts.used).toBe(1);
    feed('PLC-001', 0); // machine 1 stops
    feed('VIB-001', 1.2, 200);
    expect(live.inner.counts.uncertain).toBe(1);
    // MQTT sensors (machine 2) are taken as they come: every reading is a sample.
    feed('VIB-002', 0.8);
    feed('VIB-002', 0.8);
    expect(live.inner.counts.used).toBe(3);
    expect(skipped).toEqual(['register_unchanged', 'register_unchanged', 'uncertain']);
  });

  it('reads machine 1 over Modbus and the others over MQTT', () => {
    const sensors = liveSensors({ machines: 3 });
    expect(sensors.list().map((s) => [s.id, s.protocol])).toEqual([
      ['VIB-001', 'modbus'],
      ['TEMP-001', 'modbus'],
      ['PLC-001', 'modbus'],
      ['VIB-002', 'mqtt'],
      ['TEMP-002', 'mqtt'],
      ['PLC-002', 'mqtt'],
      ['VIB-003', 'mqtt'],
      ['TEMP-003', 'mqtt'],
      ['PLC-003', 'mqtt'],
    ]);
    expect(PLC_REGISTER_MAP.map((r) => r.sensor)).toEqual(['PLC-001', 'VIB-001', 'TEMP-001']);
  });
});
