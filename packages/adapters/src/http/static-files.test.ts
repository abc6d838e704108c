import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeTokens,
  SECRET,
  type ServiceTwin,
  startTwin,
  type Tokens,
} from '../../test-support/service-twin';
import { serveTwin, signToken, type TwinService } from './index';
import { contentType } from './static-files';

let fixture: ServiceTwin;
let service: TwinService;
let tokens: Tokens;
let base: string;

const SECRET_TEXT = 'the plant password is hunter2';

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'twinkit-dashboard-'));
  const dash = join(base, 'public');
  await mkdir(join(dash, 'sub'), { recursive: true });
  await writeFile(join(base, 'secret.txt'), SECRET_TEXT);
  await writeFile(join(base, 'package.json'), JSON.stringify({ secret: SECRET_TEXT }));
  await writeFile(join(dash, 'index.html'), '<!doctype html><title>Plant</title>');
  await writeFile(join(dash, 'app.js'), 'console.log("live");');
  await writeFile(join(dash, 'style.css'), 'body { margin: 0 }');
  await writeFile(join(dash, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(dash, 'data.json'), '{"a":1}');
  await writeFile(join(dash, 'pixel.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await writeFile(join(dash, '.env'), `TOKEN=${SECRET_TEXT}`);
  await writeFile(join(dash, 'sub', 'index.html'), '<p>sub</p>');
  await symlink(join(base, 'secret.txt'), join(dash, 'leak.txt'));
  await symlink(base, join(dash, 'up'));
  await symlink(join(dash, 'app.js'), join(dash, 'alias.js'));
  fixture = await startTwin();
  tokens = await makeTokens(signToken);
  service = await serveTwin(fixture.twin, { port: 0, auth: { secret: SECRET }, dashboard: dash });
});

afterAll(async () => {
  await service?.close();
  await fixture?.twin.stop();
  await rm(base, { recursive: true, force: true });
});

/** A request sent as written: no URL normalisation by a client library. */
function raw(path: string): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: service.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveTwin: dashboard', () => {
  it('serves index.html at / and each file with its content type, without a token', async () => {
    const cases: [string, string, string][] = [
      ['/', 'text/html; charset=utf-8', '<!doctype html><title>Plant</title>'],
      ['/index.html', 'text/html; charset=utf-8', '<!doctype html><title>Plant</title>'],
      ['/app.js', 'text/javascript; charset=utf-8', 'console.log("live");'],
      ['/style.css', 'text/css; charset=utf-8', 'body { margin: 0 }'],
      ['/logo.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
      ['/data.json', 'application/json; charset=utf-8', '{"a":1}'],
      ['/sub/', 'text/html; charset=utf-8', '<p>sub</p>'],
      ['/sub', 'text/html; charset=utf-8', '<p>sub</p>'],
      ['/alias.js', 'text/javascript; charset=utf-8', 'console.log("live");'],
      ['/app.js?v=3', 'text/javascript; charset=utf-8', 'console.log("live");'],
    ];
    for (const [url, type, body] of cases) {
      const res = await service.app.inject({ url });
      expect({ url, status: res.statusCode, type: res.headers['content-type'], body: res.body }).toEqual({
        url,
        status: 200,
        type,
        body,
      });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    const png = await service.app.inject({ url: '/pixel.png' });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const head = await service.app.inject({ method: 'HEAD', url: '/app.js' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe('20');
    expect(head.body).toBe('');
  });

  it('refuses paths that leave the directory: .., encoded %2e%2e, symbolic links out, hidden files', async () => {
    const paths = [
      '/../package.json',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/package.json',
      '/..%2fsecret.txt',
      '/..%2Fpackage.json',
      '/sub/%2e%2e/%2e%2e/secret.txt',
      '/sub/../../secret.txt',
      '/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/leak.txt',
      '/up/secret.txt',
      '/up/',
      '/.env',
      '/%2eenv',
      '/sub/.%2e/.%2e/secret.txt',
    ];
    for (const path of paths) {
      const res = await raw(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.body).not.toContain('hunter2');
      expect(JSON.parse(res.body).error).toBe('not_found');
      const injected = await service.app.inject({ url: path });
      expect(injected.statusCode).toBe(404);
      expect(injected.body).not.toContain('hunter2');
    }
    for (const path of ['/%zz', '/a%00b', '/..%5csecret.txt']) {
      const res = await raw(path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
    }
  });

  it('answers a missing file with 404 JSON, and keeps /v1 behind tokens', async () => {
    const missing = await service.app.inject({ url: '/missing.html' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', message: 'no file /missing.html' });
    expect((await service.app.inject({ url: '/v1/assets' })).statusCode).toBe(401);
    const v1 = await service.app.inject({
      url: '/v1/nothing',
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    expect(v1.statusCode).toBe(404);
    expect(v1.json().error).toBe('not_found');
    expect((await service.app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
  });

  it('knows the content types of a dashboard', () => {
    expect(contentType('a/b.MJS')).toBe('text/javascript; charset=utf-8');
    expect(contentType('x.woff2')).toBe('font/woff2');
    expect(contentType('x.bin')).toBe('application/octet-stream');
    expect(contentType('Makefile')).toBe('application/octet-stream');
  });
});
