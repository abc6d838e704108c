// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core against
// `npm run factory -- --live` on 127.0.0.1 (seed 350: machine 4 starts 1 point above its failure
// threshold, so at 3000x it fails within seconds). The page sees live values change, lists the
// failure, runs a crew what-if and shows its 95% intervals; a screenshot goes to
// examples/factory/out/dashboard.png (kept as a CI artifact).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveRunning, runLive } from '../live/main';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../out');
if (!existsSync(CHROMIUM))
  throw new Error(
    `${CHROMIUM} is missing: the dashboard test needs Debian's chromium (apt-get install chromium; .ci/run installs it).`,
  );

let running: LiveRunning;
let run: Promise<number>;
const stop = new AbortController();
let context: BrowserContext;
let profile: string;
const problems: string[] = [];

beforeAll(async () => {
  let ready!: (r: LiveRunning) => void;
  const started = new Promise<LiveRunning>((resolve) => (ready = resolve));
  let stderr = '';
  run = runLive(
    ['--live', '--speed', '3000', '--port', '0', '--seed', '350'],
    { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: {} },
    { signal: stop.signal, onReady: ready },
  );
  running = await Promise.race([
    started,
    run.then((code) => {
      throw new Error(`runLive ended with ${code} before it was ready: ${stderr}`);
    }),
  ]);
  profile = mkdtempSync(join(tmpdir(), 'twinkit-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1440, height: 1000 },
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  stop.abort();
  expect(await run).toBe(0);
}, 60_000);

async function open(hash: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  // Only this machine: a request elsewhere (a CDN, fonts) would be a bug of the page.
  page.on('request', (r) => {
    if (!r.url().startsWith(running.service.url) && !r.url().startsWith('data:'))
      problems.push(`request outside the service: ${r.url()}`);
  });
  await page.goto(`${running.service.url}/${hash}`);
  return page;
}

describe('the live dashboard in headless Chromium', () => {
  it('shows live health estimates and readings, lists a failure, runs a crew what-if with its 95% intervals', async () => {
    const page = await open(`#token=${running.tokens.engineer}`);
    await expect.poll(() => page.textContent('#conn'), { timeout: 15_000 }).toBe('live');
    // The token left the address bar; the page knows who it is.
    expect(page.url()).not.toContain('token=');
    expect(await page.textContent('#who')).toBe('dev-engineer · engineer');

    // One card per machine; machine 1 is read over Modbus, the others over MQTT.
    await page.waitForSelector('#machine-M5 svg.chart');
    expect(await page.locator('article.machine').count()).toBe(5);
    expect(await page.textContent('#machine-M1 .badge-proto')).toBe('Modbus TCP');
    expect(await page.textContent('#machine-M2 .badge-proto')).toBe('MQTT');

    // Live values change: the plant clock, a health estimate and the drawn readings move on.
    const clock = await page.textContent('#plant-time');
    const health = () => page.getAttribute('#machine-M2 .health-value', 'data-health');
    await expect.poll(health, { timeout: 15_000 }).not.toBe('');
    const before = await health();
    const dots = () => page.locator('#machine-M3 .vib-dot').count();
    const dotsBefore = await dots();
    await expect.poll(health, { timeout: 15_000 }).not.toBe(before);
    await expect.poll(() => page.textContent('#plant-time'), { timeout: 15_000 }).not.toBe(clock);
    await expect.poll(dots, { timeout: 15_000 }).toBeGreaterThan(dotsBefore);
    // Units on the axes, percentages in the tiles.
    expect(await page.locator('#machine-M2 .axis-label').allTextContents()).toEqual([
      'health (%)',
      'vibration (g)',
      'temperature (°C)',
    ]);
    await expect.poll(() => page.textContent('[data-kpi="availability"] .kpi-value')).toMatch(/^\d+\.\d %$/);

    // Machine 4 fails (its PLC reports the stop; the twin raises machine_failure).
    const failure = page.locator('.event[data-type="machine_failure"]').first();
    await failure.waitFor({ timeout: 45_000 });
    expect(await failure.textContent()).toMatch(/Machine stopped.*Machine 4.*reported by PLC-004/);

    // A crew what-if: two technicians, one day ahead, five replications.
    await page.fill('input[name="technicians"]', '2');
    await page.fill('input[name="hours"]', '24');
    await page.fill('input[name="replications"]', '5');
    await page.click('#scenario-submit');
    await page.waitForSelector('.scenario-table tr[data-output="totalCost"]', { timeout: 60_000 });
    expect(await page.textContent('#scenario-status')).toMatch(/^Done: scen_/);
    const header = await page.locator('.scenario-table thead th').allTextContents();
    expect(header).toEqual([
      'Over the next 24 h',
      "Twin's own crew",
      '2 technicians',
      'Difference (paired, 95%)',
    ]);
    const labour = await page.locator('.scenario-table tr[data-output="laborCost"] td').allTextContents();
    // Baseline, scenario and difference, each a mean with its 95% interval: [lower, upper].
    for (const cell of labour.slice(0, 3))
      expect(cell).toMatch(/^−?\+?[\d,.]+\[−?\+?[\d,.]+, −?\+?[\d,.]+\]$/);
    // Three technicians fewer for 24 h at 60 an hour: 4,320 less labour, exactly (it does not depend on chance).
    expect(labour[2]).toBe('−4,320[−4,320, −4,320]');
    expect(
      await page.locator('.scenario-table tr[data-output="availability"] td').first().textContent(),
    ).toMatch(/^\d+\.\d\d %\[\d+\.\d\d %, \d+\.\d\d %\]$/);

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'dashboard.png'), fullPage: true });
    expect(existsSync(join(OUT, 'dashboard.png'))).toBe(true);
    await page.close();
  }, 120_000);

  it('asks for a token without one, says when the service refuses it, and keeps what-ifs from operators', async () => {
    const none = await open('');
    await none.waitForSelector('#token-panel:not([hidden])');
    expect(await none.textContent('#token-message')).toMatch(/This page needs a token/);
    await none.fill('#token-input', 'not-a-token');
    await none.click('#token-form button');
    await expect.poll(() => none.textContent('#token-message')).toMatch(/The service refused the token/);
    // The right token, pasted into the form, connects.
    await none.fill('#token-input', running.tokens.admin);
    await none.click('#token-form button');
    await expect.poll(() => none.textContent('#conn'), { timeout: 15_000 }).toBe('live');
    await none.close();

    const operator = await open(`#token=${running.tokens.operator}`);
    await expect.poll(() => operator.textContent('#conn'), { timeout: 15_000 }).toBe('live');
    expect(await operator.isDisabled('#scenario-submit')).toBe(true);
    expect(await operator.textContent('#scenario-status')).toMatch(
      /operator role: what-ifs need engineer or admin/,
    );
    await operator.close();
    // Only the expected refusals (the bad token's 401) reached the console.
    expect(problems.filter((p) => !/401 \(Unauthorized\)/.test(p))).toEqual([]);
  }, 60_000);
});
