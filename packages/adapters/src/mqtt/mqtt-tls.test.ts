import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MosquittoProcess, startMosquitto } from '../../test-support/mosquitto';
import { defineSensors, type Reading } from '../index';
import { mqttSink, mqttSource } from './index';

// A real TLS listener: a private Mosquitto with a certificate signed by a CA made here (openssl,
// EC keys, valid for one day), and a password file: the whole login path of a plant's broker.
let dir: string;
let broker: MosquittoProcess;
const PASSWORD = 'tls-Pa55word';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinkit-tls-'));
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=twinkit test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  );
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('server.pem'),
  );
  execFileSync('mosquitto_passwd', ['-b', '-c', f('passwd'), 'twin', PASSWORD], { stdio: 'pipe' });
  // Mosquitto started as root drops to its own user before it reads these: let it read them.
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) chmodSync(f(name), 0o644);
  broker = await startMosquitto({
    scheme: 'mqtts',
    config: [
      `cafile ${f('ca.pem')}`,
      `certfile ${f('server.pem')}`,
      `keyfile ${f('server.key')}`,
      'allow_anonymous false',
      `password_file ${f('passwd')}`,
    ],
  });
});
afterAll(async () => {
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

function reading(source: string, seq: number): Reading {
  return {
    timestamp: '2024-01-15T10:30:45.123Z',
    time: Date.parse('2024-01-15T10:30:45.123Z'),
    source,
    value: seq,
    unit: '1',
    quality: 'good',
    sensor_id: 'H',
    receivedAt: 0,
    seq,
  };
}

describe('MQTT over TLS with a password (a private Mosquitto)', () => {
  it('connects with TLS and credentials from TWINKIT_MQTT_* (source) and from options (sink)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      TWINKIT_MQTT_URL: broker.url,
      TWINKIT_MQTT_USERNAME: 'twin',
      TWINKIT_MQTT_PASSWORD: PASSWORD,
      TWINKIT_MQTT_CA: join(dir, 'ca.pem'),
    });
    try {
      const topic = 'tls/production/line1/machine/status/health';
      const source = mqttSource({ sensors: defineSensors([{ id: 'H', source: topic, unit: '1' }]) });
      await source.start();
      const sink = mqttSink({
        url: broker.url,
        username: 'twin',
        password: PASSWORD,
        tls: { ca: readFileSync(join(dir, 'ca.pem'), 'utf8') },
        statusTopic: false,
      });
      await sink.write({ kind: 'reading', reading: reading(topic, 1) });
      const got: Reading[] = [];
      for await (const r of source) {
        got.push(r);
        break;
      }
      expect(got.map((r) => r.seq)).toEqual([1]);
      expect(sink.stats()).toMatchObject({ written: 1, delivered: 1 });
      for (const text of [
        source.name,
        sink.name,
        JSON.stringify(source.stats()),
        JSON.stringify(sink.stats()),
      ])
        expect(text).not.toContain(PASSWORD);
      await sink.close();
    } finally {
      process.env = saved;
    }
  });

  it('refuses a broker whose certificate it cannot verify, and says why', async () => {
    const source = mqttSource({
      url: broker.url,
      username: 'twin',
      password: PASSWORD,
      topics: ['tls/#'],
      startTimeoutMs: 500,
      reconnect: { initialMs: 100 },
    });
    // No CA given: the test CA is not among the system's, so the handshake fails every time.
    await expect(source.start()).rejects.toThrow(
      /could not connect to mqtts:\/\/127.0.0.1:\d+ within startTimeoutMs 500 \(last error: .*certificate/i,
    );
    expect(() =>
      mqttSource({ url: broker.url, topics: ['a'], tls: { caFile: join(dir, 'missing.pem') } }),
    ).toThrow(/cannot read tls.caFile ".*missing.pem": ENOENT/);
    expect(() =>
      mqttSource({ url: broker.url, topics: ['a'], tls: { certFile: join(dir, 'server.pem') } }),
    ).toThrow(/a client certificate needs its key/);
  });
});
