// The report in a real browser: the fixture's report opened from a file in Debian's headless
// Chromium (playwright-core). It must load without console or page errors and without requests
// (it is self-contained), show every section and plot, and fit the window's width; a full-page
// screenshot goes to examples/factory/out/report.png (kept as a CI artifact, like the dashboard's).
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from './report';
import { reportFixture } from './test/report-fixture';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve(dirname(fileURLToPath(import.meta.url)), 'out');
if (!existsSync(CHROMIUM))
  throw new Error(
    `${CHROMIUM} is missing: the report's browser test needs Debian's chromium (apt-get install chromium; .ci/run installs it).`,
  );

const SECTIONS = [
  'decision',
  'maintenance',
  'crews',
  'plans',
  'forecast',
  'sync',
  'floor',
  'glossary',
  'appendix',
];

let context: BrowserContext;
let profile: string;
let folder: string;
let file: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'twinkit-report-'));
  file = join(folder, 'report.html');
  writeFileSync(file, await renderReport(reportFixture()));
  profile = mkdtempSync(join(tmpdir(), 'twinkit-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 900 },
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  for (const dir of [profile, folder]) if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('the report in headless Chromium', () => {
  it('loads without errors, shows every section and plot, fits the width, and is saved as a screenshot', async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    // Self-contained: nothing but the file itself is loaded.
    const url = pathToFileURL(file).href;
    page.on('request', (r) => {
      if (r.url() !== url && !r.url().startsWith('data:')) problems.push(`request: ${r.url()}`);
    });
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });

    // The answer comes right after the title.
    expect(await page.locator('h1 + *').getAttribute('class')).toBe('decision');
    expect(await page.locator('p.decision').textContent()).toMatch(/^Crew: 2 technicians/);

    expect(await page.locator('h2[id]').evaluateAll((hs) => hs.map((h) => h.id))).toEqual(SECTIONS);
    for (const id of SECTIONS) expect(await page.locator(`h2#${id}`).isVisible(), `#${id}`).toBe(true);

    // Every plot is drawn with a size; two crew studies, fan, Gantt, health, error, telemetry, floor.
    const sizes = await page
      .locator('figure svg')
      .evaluateAll((svgs) =>
        svgs.map((s) => [s.getBoundingClientRect().width, s.getBoundingClientRect().height]),
      );
    expect(sizes.length).toBe(8);
    for (const [w, h] of sizes) {
      expect(w).toBeGreaterThan(100);
      expect(h).toBeGreaterThan(50);
    }
    // Wide plots scroll inside their figure; the page itself fits the window.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

    mkdirSync(OUT, { recursive: true });
    const png = join(OUT, 'report.png');
    await page.screenshot({ path: png, fullPage: true, timeout: 30_000 });
    expect(statSync(png).size).toBeGreaterThan(10_000);
    await page.close();
    expect(problems).toEqual([]);
  }, 90_000);
});
