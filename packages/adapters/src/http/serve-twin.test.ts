import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  at,
  makeTokens,
  SECRET,
  type ServiceTwin,
  startTwin,
  type Tokens,
} from '../../test-support/service-twin';
import { waitFor } from '../../test-support/wait-for';
import { redactUrl, type ServeTwinOptions, serveTwin, signToken, type TwinService } from './index';

type Who = 'none' | 'bad' | 'expired' | 'malformed' | 'viewer' | 'operator' | 'engineer' | 'admin';
const WHO: readonly Who[] = [
  'none',
  'bad',
  'expired',
  'malformed',
  'viewer',
  'operator',
  'engineer',
  'admin',
];

let fixture: ServiceTwin;
let service: TwinService;
let tokens: Tokens;
let dir: string;
let scenarioId: string;

function headers(who: Who): Record<string, string> {
  if (who === 'none') return {};
  if (who === 'malformed') return { authorization: `Basic ${Buffer.from('ada:pw').toString('base64')}` };
  return { authorization: `Bearer ${tokens[who]}` };
}

async function inject(
  who: Who,
  method: 'GET' | 'POST' | 'HEAD',
  url: string,
  payload?: unknown,
): Promise<{
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Record<string, unknown>;
}> {
  const res = await service.app.inject({
    method,
    url,
    headers: headers(who),
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  let body: Record<string, unknown> = {};
  try {
    body = res.json();
  } catch {}
  return { status: res.statusCode, body, text: res.body, headers: res.headers };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinkit-http-'));
  fixture = await startTwin();
  tokens = await makeTokens(signToken);
  // 30 s of readings: the health falls, a temperature on each machine, one out of range (rejected).
  for (let s = 0; s <= 30; s++) {
    fixture.source.push(
      at('HEALTH-001', s, 100 - 0.01 * s),
      at('TEMP-001', s, 60 + s / 10),
      at('TEMP-002', s, 40),
    );
  }
  fixture.source.push(at('TEMP-002', 31, 900));
  await waitFor(() => fixture.twin.stats().readings.received >= 93, 10_000, '93 readings received');
  service = await serveTwin(fixture.twin, {
    port: 0,
    auth: { secret: SECRET },
    audit: join(dir, 'audit.jsonl'),
  });
  scenarioId = fixture.twin.scenario({ params: { wearRate: 0.02 }, horizonH: 0.01, replications: 2 }).id;
});

afterAll(async () => {
  await service?.close();
  await fixture?.twin.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('serveTwin: roles', () => {
  // Every route with the least role it needs (undefined: public) and what it answers when allowed.
  const routes: readonly {
    method: 'GET' | 'POST';
    url: () => string;
    role: 'operator' | 'engineer' | 'admin' | undefined;
    ok: number;
    payload?: unknown;
  }[] = [
    { method: 'GET', url: () => '/health', role: undefined, ok: 200 },
    { method: 'GET', url: () => '/ready', role: undefined, ok: 200 },
    { method: 'GET', url: () => '/v1/assets', role: 'operator', ok: 200 },
    { method: 'GET', url: () => '/v1/assets/M1', role: 'operator', ok: 200 },
    { method: 'GET', url: () => '/v1/assets/M1/telemetry?limit=5', role: 'operator', ok: 200 },
    {
      method: 'POST',
      url: () => '/v1/assets/M1/commands',
      role: 'operator',
      ok: 202,
      payload: { action: 'maintenance', parameters: { kind: 'inspection' } },
    },
    { method: 'GET', url: () => '/v1/simulation/state', role: 'operator', ok: 200 },
    {
      method: 'POST',
      url: () => '/v1/simulation/scenarios',
      role: 'engineer',
      ok: 202,
      payload: { parameters: { wearRate: 0.02 }, duration_hours: 0.01, replications: 2 },
    },
    { method: 'GET', url: () => `/v1/simulation/scenarios/${scenarioId}`, role: 'operator', ok: 200 },
    { method: 'GET', url: () => '/v1/kpis', role: 'operator', ok: 200 },
    { method: 'GET', url: () => '/v1/kpis/historical', role: 'operator', ok: 200 },
    { method: 'GET', url: () => '/v1/config', role: 'admin', ok: 200 },
    { method: 'GET', url: () => '/metrics', role: 'engineer', ok: 200 },
  ];
  const rank = { operator: 0, engineer: 1, admin: 2 } as const;

  for (const route of routes) {
    it(`${route.method} ${route.url()}: ${route.role ?? 'public'}`, async () => {
      for (const who of WHO) {
        const res = await inject(who, route.method, route.url(), route.payload);
        let expected: number;
        if (route.role === undefined) expected = route.ok;
        else if (who === 'none' || who === 'bad' || who === 'expired' || who === 'malformed') expected = 401;
        else if (who === 'viewer') expected = 403;
        else expected = rank[who] >= rank[route.role] ? route.ok : 403;
        expect({ who, status: res.status }).toEqual({ who, status: expected });
        if (expected === 401) {
          expect(res.body.error).toBe('unauthorized');
          expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
        }
        if (expected === 403) {
          expect(res.body.error).toBe('forbidden');
          if (who !== 'viewer') expect(res.body.message).toContain(`needs the ${route.role} role`);
        }
      }
    });
  }

  it('says why a token is refused, without repeating it', async () => {
    const none = await inject('none', 'GET', '/v1/assets');
    expect(none.body.message).toMatch(/no bearer token.*Authorization: Bearer/);
    const expired = await inject('expired', 'GET', '/v1/assets');
    expect(expired.body.message).toBe('the token has expired');
    const bad = await inject('bad', 'GET', '/v1/assets');
    expect(bad.body.message).toBe('the token signature is not valid');
    expect(bad.text).not.toContain(tokens.bad);
    const malformed = await inject('malformed', 'GET', '/v1/assets');
    expect(malformed.body.message).toContain('Bearer <token>');
    const viewer = await inject('viewer', 'GET', '/v1/assets');
    expect(viewer.body.message).toContain(
      'role claim must be one of operator, engineer, admin, got "viewer"',
    );
    const garbage = await service.app.inject({
      url: '/v1/assets',
      headers: { authorization: 'Bearer abc.def' },
    });
    expect(garbage.statusCode).toBe(401);
    expect(garbage.json().message).toBe('the token is not a well-formed JWT');
  });

  it('takes a token in the query string only on the WebSocket route', async () => {
    const res = await inject('none', 'GET', `/v1/assets?token=${tokens.admin}`);
    expect(res.status).toBe(401);
  });

  it('verifies RS256 tokens of an identity provider with its public key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const s = await serveTwin(fixture.twin, { port: 0, auth: { publicKey: await exportSPKI(publicKey) } });
    try {
      const token = await new SignJWT({ role: 'engineer' })
        .setProtectedHeader({ alg: 'RS256' })
        .setSubject('erik')
        .setExpirationTime('5m')
        .sign(privateKey);
      const ask = (t: string) => s.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${t}` } });
      expect((await ask(token)).statusCode).toBe(200);
      expect((await ask(tokens.admin)).statusCode).toBe(401);
    } finally {
      await s.close();
    }
  });

  it('checks issuer and audience when configured', async () => {
    const strict = await serveTwin(fixture.twin, {
      port: 0,
      auth: { secret: SECRET, issuer: 'plant-idp', audience: 'twin' },
    });
    try {
      const good = await signToken({
        subject: 'ada',
        role: 'operator',
        secret: SECRET,
        issuer: 'plant-idp',
        audience: 'twin',
      });
      const wrong = await signToken({
        subject: 'ada',
        role: 'operator',
        secret: SECRET,
        issuer: 'other',
        audience: 'twin',
      });
      const ask = (t: string) =>
        strict.app.inject({ url: '/v1/assets', headers: { authorization: `Bearer ${t}` } });
      expect((await ask(good)).statusCode).toBe(200);
      const res = await ask(wrong);
      expect(res.statusCode).toBe(401);
      expect(res.json().message).toContain('iss');
      expect((await ask(tokens.operator)).statusCode).toBe(401);
    } finally {
      await strict.close();
    }
  });
});

describe('serveTwin: routes', () => {
  it('lists the assets and tells one, with its state', async () => {
    const list = await inject('operator', 'GET', '/v1/assets');
    const assets = list.body.assets as { id: string; sensors: { id: string }[]; topic: string }[];
    expect(assets.map((a) => a.id)).toEqual(['M1', 'M2']);
    expect(assets[0]?.sensors.map((s) => s.id)).toEqual(['HEALTH-001', 'TEMP-001']);
    expect(assets[0]?.topic).toBe('factory/production/line1/machine1');
    const one = await inject('operator', 'GET', '/v1/assets/M1');
    expect(one.body.id).toBe('M1');
    const state = one.body.state as {
      variables: Record<string, { mean: number; sd: number }>;
      lastUpdate: string;
    };
    expect(state.variables['M1.health']?.mean).toBeGreaterThan(99);
    expect(state.lastUpdate).toBe('2024-01-15T10:00:30.000Z');
  });

  it('answers 404 for an unknown asset, naming the known ones', async () => {
    const res = await inject('operator', 'GET', '/v1/assets/M3');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: 'not_found',
      message: "no asset 'M3' (did you mean 'M1'?); the assets are M1, M2",
    });
    for (const url of ['/v1/assets/M3/telemetry'])
      expect((await inject('operator', 'GET', url)).status).toBe(404);
    const cmd = await inject('operator', 'POST', '/v1/assets/X/commands', { action: 'stop' });
    expect(cmd.status).toBe(404);
  });

  it('gives telemetry, newest last, since a time and limited', async () => {
    const all = await inject('operator', 'GET', '/v1/assets/M1/telemetry');
    const readings = all.body.readings as { timestamp: string; sensor_id: string; value: number }[];
    expect(readings).toHaveLength(62);
    expect(Object.keys(readings[0] as object).sort()).toEqual(
      ['quality', 'sensor_id', 'source', 'timestamp', 'unit', 'value'].sort(),
    );
    const since = await inject(
      'operator',
      'GET',
      '/v1/assets/M1/telemetry?since=2024-01-15T10:00:25Z&limit=4',
    );
    const r = since.body.readings as { timestamp: string; sensor_id: string }[];
    expect(r).toHaveLength(4);
    expect(r.at(-1)?.timestamp).toBe('2024-01-15T10:00:30.000Z');
    expect(r.every((x) => x.timestamp >= '2024-01-15T10:00:25.000Z')).toBe(true);
  });

  it('asks a telemetry store when one is given', async () => {
    const asked: unknown[] = [];
    const store = await serveTwin(fixture.twin, {
      port: 0,
      auth: { secret: SECRET },
      telemetry: {
        async query(asset, q) {
          asked.push({ asset, ...q });
          return [at('TEMP-002', 5, 41)];
        },
      },
    });
    try {
      const res = await store.app.inject({
        url: '/v1/assets/M2/telemetry?since=2024-01-15T10:00:00.000Z&limit=10',
        headers: { authorization: `Bearer ${tokens.operator}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().readings).toEqual([
        {
          timestamp: '2024-01-15T10:00:05.000Z',
          sensor_id: 'TEMP-002',
          value: 41,
          unit: 'degC',
          quality: 'good',
          source: 'factory/production/line1/machine2/telemetry/temperature',
        },
      ]);
      expect(asked).toEqual([{ asset: 'M2', since: Date.UTC(2024, 0, 15, 10), limit: 10 }]);
    } finally {
      await store.close();
    }
  });

  it('sends a command to the asset and appends it to the audit log', async () => {
    const before = fixture.sink.messages.length;
    const res = await inject('operator', 'POST', '/v1/assets/M1/commands', {
      action: 'maintenance',
      parameters: { window: 'weekend' },
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('sent');
    const id = res.body.command_id as string;
    expect(id).toMatch(/^cmd_[0-9a-f-]{36}$/);
    const sent = fixture.sink.messages.slice(before).find((m) => m.kind === 'command');
    expect(sent).toMatchObject({
      kind: 'command',
      topic: 'factory/production/line1/machine1/command/maintenance',
      payload: { window: 'weekend', command_id: id, action: 'maintenance', asset: 'M1' },
    });
    const lines = (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const line = lines.find((l) => l.id === id);
    expect(line).toMatchObject({
      subject: 'olga',
      role: 'operator',
      route: 'POST /v1/assets/:id/commands',
      params: { id: 'M1' },
      body: { action: 'maintenance', parameters: { window: 'weekend' } },
    });
    expect(Date.parse(line.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.stringify(lines)).not.toContain(tokens.operator);
  });

  it('sends no command whose audit line cannot be written', async () => {
    if (!existsSync('/dev/full')) return; // Linux: every write to /dev/full fails (ENOSPC)
    const s = await serveTwin(fixture.twin, { port: 0, auth: { secret: SECRET }, audit: '/dev/full' });
    try {
      const before = fixture.sink.of('command').length;
      const res = await s.app.inject({
        method: 'POST',
        url: '/v1/assets/M1/commands',
        headers: { authorization: `Bearer ${tokens.operator}` },
        payload: { action: 'stop' },
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'internal', message: 'the service failed to answer; see its log' });
      expect(fixture.sink.of('command').length).toBe(before);
    } finally {
      await s.close();
    }
  });

  it('refuses an audit log it cannot open', async () => {
    const e = await serveTwin(fixture.twin, {
      port: 0,
      auth: { secret: SECRET },
      audit: join(dir, 'no-such-dir', 'audit.jsonl'),
    }).catch((err) => err);
    expect(e.message).toContain('audit must be a file the service can append to');
  });

  it('tells a plain GET of /v1/live that it is a WebSocket', async () => {
    const res = await inject('operator', 'GET', '/v1/live');
    expect(res.status).toBe(426);
    expect(res.body.error).toBe('upgrade_required');
    expect(res.headers.upgrade).toBe('websocket');
    expect((await inject('none', 'GET', '/v1/live')).status).toBe(401);
  });

  it('answers 409 when the twin has no sink that takes commands', async () => {
    const bare = await startTwin({ sinks: false });
    const s = await serveTwin(bare.twin, { port: 0, auth: { secret: SECRET } });
    try {
      const res = await s.app.inject({
        method: 'POST',
        url: '/v1/assets/M1/commands',
        headers: { authorization: `Bearer ${tokens.operator}` },
        payload: { action: 'stop' },
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().message).toContain('no sink takes commands');
    } finally {
      await s.close();
      await bare.twin.stop();
    }
  });

  it('runs a scenario request to its result, and audits it', async () => {
    const res = await inject('engineer', 'POST', '/v1/simulation/scenarios', {
      scenario_type: 'maintenance_planning',
      parameters: { wearRate: 0.05 },
      duration_hours: 0.01,
      replications: 3,
    });
    expect(res.status).toBe(202);
    const id = res.body.scenario_id as string;
    expect(res.body).toMatchObject({
      status: 'running',
      scenario_type: 'maintenance_planning',
      result_url: `/v1/simulation/scenarios/${id}`,
    });
    expect(res.headers.location).toBe(`/v1/simulation/scenarios/${id}`);
    let job: Record<string, unknown> = {};
    for (let i = 0; i < 500 && job.status !== 'completed' && job.status !== 'failed'; i++) {
      job = (await inject('operator', 'GET', `/v1/simulation/scenarios/${id}`)).body;
      if (job.status === 'running') await new Promise((r) => setTimeout(r, 100));
    }
    expect(job.status).toBe('completed');
    const result = job.result as {
      replications: number;
      scenarios: Record<string, Record<string, { mean: number }>>;
      differences: Record<string, Record<string, { mean: number }>>;
    };
    expect(result.replications).toBe(3);
    expect(Object.keys(result.scenarios)).toEqual(['baseline', 'scenario']);
    expect(result.differences.scenario?.health?.mean).toBeLessThan(0);
    const lines = (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.body?.scenario_type === 'maintenance_planning')).toMatchObject({
      subject: 'erik',
      role: 'engineer',
      route: 'POST /v1/simulation/scenarios',
    });
  });

  it('takes several named scenarios and a target half-width', async () => {
    const res = await inject('engineer', 'POST', '/v1/simulation/scenarios', {
      scenarios: { faster: { wearRate: 0.02 }, slower: { wearRate: 0.005 } },
      duration_hours: 0.01,
      replications: 4,
      target_half_width: 10,
    });
    expect(res.status).toBe(202);
    const job = fixture.twin.scenarioJob(res.body.scenario_id as string);
    const result = await job?.result;
    expect(Object.keys(result?.scenarios ?? {})).toEqual(['baseline', 'faster', 'slower']);
  });

  it('answers 404 for an unknown scenario', async () => {
    const res = await inject('operator', 'GET', '/v1/simulation/scenarios/scen_nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: "no scenario 'scen_nope'" });
  });

  it('gives the simulation state, the KPIs and their history', async () => {
    const state = await inject('operator', 'GET', '/v1/simulation/state');
    // The last reading (at 31 s, out of range) was rejected: the twin is at 30 s.
    expect(state.body.timestamp).toBe('2024-01-15T10:00:30.000Z');
    expect(Object.keys(state.body.assets as object)).toEqual(['M1', 'M2']);
    const kpis = await inject('operator', 'GET', '/v1/kpis');
    expect(kpis.body.time).toBe('2024-01-15T10:00:30.000Z');
    expect((kpis.body.kpis as Record<string, number>).ticks).toBe(30);
    const history = await inject('operator', 'GET', '/v1/kpis/historical');
    const h = history.body.history as { time: string; kpis: Record<string, number> }[];
    expect(h.length).toBeGreaterThanOrEqual(5);
    expect(h[0]?.kpis.health).toBeTypeOf('number');
    const since = await inject('operator', 'GET', '/v1/kpis/historical?since=2024-01-15T10:00:20Z&limit=1');
    const s = since.body.history as { time: string }[];
    expect(s).toHaveLength(1);
    expect(s[0]?.time).toBe(h.at(-1)?.time);
  });

  it('gives the admin the non-secret configuration', async () => {
    const res = await inject('admin', 'GET', '/v1/config');
    const config = res.body as { service: Record<string, unknown>; twin: Record<string, unknown> };
    expect(config.service).toMatchObject({
      host: '127.0.0.1',
      port: service.port,
      audit: join(dir, 'audit.jsonl'),
      auth: { algorithms: ['HS256'], keyFrom: 'option', issuer: null, audience: null },
    });
    expect(config.twin.assets).toEqual(['M1', 'M2']);
    expect(res.text).not.toContain(SECRET);
  });

  it('answers unknown routes with 404 JSON', async () => {
    for (const url of ['/v1/nothing', '/nothing', '/v1/assets/M1/nothing']) {
      const res = await inject('admin', 'GET', `${url}?token=abc`);
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('not_found');
      expect(res.body.message).toBe(
        `no route GET ${url}; the API is under /v1 (GET /v1/assets, GET /v1/simulation/state, ...)`,
      );
    }
    const post = await inject('admin', 'POST', '/v1/assets', {});
    expect(post.status).toBe(404);
  });

  it('tells readiness from the ready option', async () => {
    let ready = false;
    const s = await serveTwin(fixture.twin, { port: 0, auth: { secret: SECRET }, ready: () => ready });
    try {
      const no = await s.app.inject({ url: '/ready' });
      expect(no.statusCode).toBe(503);
      expect(no.json()).toEqual({ error: 'unavailable', message: 'the twin is not running' });
      ready = true;
      expect((await s.app.inject({ url: '/ready' })).json()).toEqual({ status: 'ready' });
      expect((await s.app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    } finally {
      await s.close();
    }
  });
});

describe('serveTwin: request validation', () => {
  const cases: readonly [string, 'GET' | 'POST', string, unknown, string][] = [
    [
      'a command without an action',
      'POST',
      '/v1/assets/M1/commands',
      {},
      "body must have the property 'action'",
    ],
    [
      'a command with an action that is not one topic level',
      'POST',
      '/v1/assets/M1/commands',
      { action: 'stop/now' },
      'body.action must be 1 to 64 letters, digits, _ or - (one topic level',
    ],
    [
      'a command with an unknown key',
      'POST',
      '/v1/assets/M1/commands',
      { action: 'stop', parameter: {} },
      "body has no property 'parameter' (did you mean 'parameters'?); the properties are action, parameters",
    ],
    [
      'command parameters that are not an object',
      'POST',
      '/v1/assets/M1/commands',
      { action: 'stop', parameters: 3 },
      'body.parameters must be object',
    ],
    [
      'a scenario without duration',
      'POST',
      '/v1/simulation/scenarios',
      { parameters: {}, replications: 2 },
      "body must have the property 'duration_hours'",
    ],
    [
      'a scenario with a misspelt key',
      'POST',
      '/v1/simulation/scenarios',
      { parameters: {}, duration_hours: 1, replications: 2, target_halfwidth: 1 },
      "body has no property 'target_halfwidth' (did you mean 'target_half_width'?)",
    ],
    [
      'a scenario of zero hours',
      'POST',
      '/v1/simulation/scenarios',
      { parameters: {}, duration_hours: 0, replications: 2 },
      'body.duration_hours must be > 0',
    ],
    [
      'a scenario of one replication',
      'POST',
      '/v1/simulation/scenarios',
      { parameters: {}, duration_hours: 1, replications: 1 },
      'body.replications must be >= 2',
    ],
    [
      'a scenario of 2.5 replications',
      'POST',
      '/v1/simulation/scenarios',
      { parameters: {}, duration_hours: 1, replications: 2.5 },
      'body.replications must be integer',
    ],
    [
      'a scenario with neither parameters nor scenarios',
      'POST',
      '/v1/simulation/scenarios',
      { duration_hours: 1, replications: 2 },
      'body must have parameters (one what-if) or scenarios (several, by name)',
    ],
    [
      'a scenario naming a parameter the model does not have',
      'POST',
      '/v1/simulation/scenarios',
      { parameters: { wearRat: 0.1 }, duration_hours: 1, replications: 2 },
      'twin.scenario(request): params names a parameter the model does not have, got "wearRat". Did you mean \'wearRate\'?',
    ],
    [
      'a scenario named baseline',
      'POST',
      '/v1/simulation/scenarios',
      { scenarios: { baseline: { wearRate: 1 } }, duration_hours: 1, replications: 2 },
      "'baseline' is the twin's own parameters",
    ],
    [
      'telemetry since a date without a zone',
      'GET',
      '/v1/assets/M1/telemetry?since=yesterday',
      undefined,
      'querystring.since must be an ISO-8601 date-time with a zone',
    ],
    [
      'telemetry with limit 0',
      'GET',
      '/v1/assets/M1/telemetry?limit=0',
      undefined,
      'querystring.limit must be >= 1',
    ],
    [
      'telemetry with limit abc',
      'GET',
      '/v1/assets/M1/telemetry?limit=abc',
      undefined,
      'querystring.limit must be integer',
    ],
    [
      'telemetry with an unknown parameter',
      'GET',
      '/v1/assets/M1/telemetry?sinse=2024-01-15T10:00:00Z',
      undefined,
      "querystring has no property 'sinse' (did you mean 'since'?)",
    ],
    [
      'KPI history with limit 100000',
      'GET',
      '/v1/kpis/historical?limit=100000',
      undefined,
      'querystring.limit must be <= 10000',
    ],
  ];
  for (const [what, method, url, payload, message] of cases) {
    it(`refuses ${what} with 400`, async () => {
      const res = await inject('admin', method, url, payload);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('bad_request');
      expect(res.body.message).toContain(message);
    });
  }

  it('refuses a body that is not JSON, or too large', async () => {
    const res = await service.app.inject({
      method: 'POST',
      url: '/v1/assets/M1/commands',
      headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'application/json' },
      payload: '{"action": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('bad_request');
    const big = await service.app.inject({
      method: 'POST',
      url: '/v1/assets/M1/commands',
      headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ action: 'x', parameters: { pad: 'x'.repeat(70_000) } }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toBe('payload_too_large');
  });

  it('checks the token before the body', async () => {
    const res = await inject('none', 'POST', '/v1/assets/M1/commands', {});
    expect(res.status).toBe(401);
  });
});

describe('serveTwin: metrics', () => {
  it('exposes the twin counters in Prometheus text, from its own registry', async () => {
    await inject('operator', 'GET', '/v1/assets');
    const res = await inject('engineer', 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseMetrics(res.text);
    const stats = fixture.twin.stats();
    expect(samples.get('twinkit_readings_total{outcome="received"}')).toBe(stats.readings.received);
    expect(samples.get('twinkit_readings_total{outcome="assimilated"}')).toBe(31);
    expect(samples.get('twinkit_readings_skipped_total{reason="unmapped"}')).toBe(62);
    expect(samples.get('twinkit_source_rejected_total{source="quality(manual)",reason="range"}')).toBe(1);
    expect(samples.get('twinkit_sink_written_total{sink="memory"}')).toBe(stats.sinks.memory?.written);
    expect(samples.get('twinkit_published_total{kind="state"}')).toBe(stats.published.state);
    expect(samples.get('twinkit_latency_seconds{path="step",quantile="0.99"}')).toBeGreaterThan(0);
    expect(samples.get('twinkit_scenarios_total{status="completed"}')).toBeGreaterThanOrEqual(1);
    expect(
      samples.get('twinkit_http_requests_total{method="GET",route="/v1/assets",status="200"}'),
    ).toBeGreaterThan(0);
    expect(res.text).toContain('# TYPE twinkit_readings_total counter');
    expect(res.text).toContain('# TYPE twinkit_readings_waiting gauge');
    // Its own registry: no default process metrics, nothing of prom-client's global registry.
    expect(res.text).not.toContain('process_cpu');
    // A second scrape gives the same counts, not doubled.
    const again = parseMetrics((await inject('engineer', 'GET', '/metrics')).text);
    expect(again.get('twinkit_readings_total{outcome="received"}')).toBe(stats.readings.received);
  });
});

describe('serveTwin: logging', () => {
  it('never logs a token, from the Authorization header or the query string', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const s = await serveTwin(fixture.twin, {
      port: 0,
      auth: { secret: SECRET },
      logger: { level: 'trace', stream },
    });
    try {
      await s.app.inject({ url: '/v1/assets', headers: { authorization: `Bearer ${tokens.operator}` } });
      await s.app.inject({ url: `/v1/assets?token=${tokens.admin}&x=1` });
      await s.app.inject({ url: `/v1/live?token=${tokens.engineer}` });
      await s.app.inject({ url: '/v1/assets', headers: { authorization: `Bearer ${tokens.bad}` } });
      await s.app.inject({ url: '/v1/kpis', headers: { authorization: `Bearer ${tokens.expired}` } });
    } finally {
      await s.close();
    }
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    expect(text).toContain('"url":"/v1/assets?token=[redacted]&x=1"');
    for (const t of [tokens.operator, tokens.admin, tokens.engineer, tokens.bad, tokens.expired, SECRET]) {
      expect(text).not.toContain(t);
      // Not even the signature part alone.
      expect(text).not.toContain(t.split('.')[2]);
    }
  });

  it('redacts token parameters of a URL', () => {
    expect(redactUrl('/v1/live?token=a.b.c')).toBe('/v1/live?token=[redacted]');
    expect(redactUrl('/x?a=1&access_token=zz&b=2')).toBe('/x?a=1&access_token=[redacted]&b=2');
    expect(redactUrl('/x?tokens=1')).toBe('/x?tokens=1');
  });
});

describe('serveTwin: options', () => {
  it('refuses unknown options with the closest match', async () => {
    const e = await serveTwin(fixture.twin, { prot: 0 } as ServeTwinOptions).catch((err) => err);
    expect(e.message).toContain("Did you mean 'port'?");
    const a = await serveTwin(fixture.twin, {
      auth: { secrte: SECRET },
    } as unknown as ServeTwinOptions).catch((err) => err);
    expect(a.message).toContain("Did you mean 'secret'?");
  });

  it('needs a key, naming the option and the environment variables', async () => {
    const saved = { ...process.env };
    delete process.env.TWINKIT_JWT_SECRET;
    delete process.env.TWINKIT_JWT_PUBLIC_KEY;
    try {
      const e = await serveTwin(fixture.twin, { port: 0 }).catch((err) => err);
      expect(e.message).toContain('no key to verify tokens with');
      expect(e.message).toContain('auth: { secret }');
      expect(e.message).toContain('TWINKIT_JWT_SECRET');
      expect(e.message).toContain('TWINKIT_JWT_PUBLIC_KEY');
    } finally {
      process.env = saved;
    }
  });

  it('takes the key, issuer and audience from the environment', async () => {
    const saved = { ...process.env };
    process.env.TWINKIT_JWT_SECRET = SECRET;
    process.env.TWINKIT_JWT_ISSUER = 'env-idp';
    try {
      const s = await serveTwin(fixture.twin, { port: 0 });
      try {
        const t = await signToken({ subject: 'ada', role: 'admin', secret: SECRET, issuer: 'env-idp' });
        const res = await s.app.inject({ url: '/v1/config', headers: { authorization: `Bearer ${t}` } });
        expect(res.statusCode).toBe(200);
        expect(res.json().service.auth).toEqual({
          algorithms: ['HS256'],
          keyFrom: 'environment',
          issuer: 'env-idp',
          audience: null,
        });
        expect(res.body).not.toContain(SECRET);
        const noIssuer = await s.app.inject({
          url: '/v1/config',
          headers: { authorization: `Bearer ${tokens.admin}` },
        });
        expect(noIssuer.statusCode).toBe(401);
      } finally {
        await s.close();
      }
    } finally {
      process.env = saved;
    }
  });

  it('refuses a short secret, a bad port and a missing dashboard', async () => {
    const short = await serveTwin(fixture.twin, { auth: { secret: 'short' } }).catch((err) => err);
    expect(short.message).toContain('at least 32 characters');
    expect(short.message).not.toContain('short');
    const port = await serveTwin(fixture.twin, { port: 70_000, auth: { secret: SECRET } }).catch(
      (err) => err,
    );
    expect(port.message).toContain('port must be an integer from 0 to 65535');
    const dash = await serveTwin(fixture.twin, {
      port: 0,
      auth: { secret: SECRET },
      dashboard: join(dir, 'none'),
    }).catch((err) => err);
    expect(dash.message).toContain('dashboard must be an existing directory');
  });

  it('says when the port is taken', async () => {
    const e = await serveTwin(fixture.twin, { port: service.port, auth: { secret: SECRET } }).catch(
      (err) => err,
    );
    expect(e.message).toContain(`cannot listen on 127.0.0.1:${service.port}`);
  });

  it('signToken refuses bad options', async () => {
    const e = await signToken({ subject: 'a', role: 'root' as 'admin', secret: SECRET }).catch((err) => err);
    expect(e.message).toContain('role must be one of operator, engineer, admin');
    const s = await signToken({ subject: 'a', role: 'admin', secret: 'x' }).catch((err) => err);
    expect(s.message).toContain('at least 32 characters');
    const k = await signToken({ subject: 'a', role: 'admin', secret: SECRET, expires: 1 } as never).catch(
      (err) => err,
    );
    expect(k.message).toContain("Did you mean 'expiresIn'?");
  });
});

/** The samples of a Prometheus exposition text, by `name{labels}`; every line is checked to parse. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(
        line,
      );
    if (m === null) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ''}`.replace(/,\}$/, '}'), Number(m[3]));
  }
  return samples;
}
