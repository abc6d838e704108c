#!/usr/bin/env node
// The kernels run in a browser: bundles a small program for each of @twinkit/core, des, abm and sd
// with esbuild for platform=browser (from the packages' built dist, as a bundler in a web project
// resolves them), fails if anything in the bundle reaches for a Node builtin (`node:fs`, `fs`,
// `worker_threads`, ...), naming the chain of imports that leads there, then runs each bundle in
// headless Chromium and checks what the model computed against theory.
//
// Nothing is marked external and nothing is polyfilled: esbuild fails on a builtin it cannot
// resolve for the browser, and the bundle must have no import left at all. The only builtin a
// bundle may mention is one a package's own `browser` field replaces with an empty module
// (seedrandom's `crypto`: in a browser it uses `window.crypto`); those are listed, not hidden.
// A control bundle of `@twinkit/des/node` must fail, so a guard that stopped guarding is caught.
//
// Run after `npm run build`: node scripts/ci/browser-bundle.mjs [core des abm sd estimation]
// (default: core des abm sd).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

const repo = resolve(import.meta.dirname, '../..');
const fixtures = join(import.meta.dirname, 'browser-bundle');
const CHROMIUM = '/usr/bin/chromium';
const DEADLINE_MS = 55_000;
const log = (line) => process.stdout.write(`${line}\n`);
const fail = (line) => process.stderr.write(`${line}\n`);

// What each program computes, and what theory says it should be. Each check returns a one-line
// summary of the result and the list of what is wrong with it.
const near = (x, target, tol) => Number.isFinite(x) && Math.abs(x - target) <= tol;
const checks = {
  core(r) {
    const problems = [];
    const order = r.fired.map((f) => `${f.name}@${f.at}`).join(' ');
    if (order !== 'a@1 b@2 scheduled@2.5 c@3')
      problems.push(`timeouts fired as ${order}, not a@1 b@2 scheduled@2.5 c@3`);
    if (r.now !== 10) problems.push(`clock at ${r.now}, not at the horizon 10`);
    if (!r.reproducible) problems.push('two streams of the same key drew different numbers');
    // The sample mean of n exponentials of mean 5 has standard deviation 5 / sqrt(n).
    const tol = (4 * 5) / Math.sqrt(r.n);
    if (!near(r.mean, 5, tol))
      problems.push(`exponential(5) sample mean ${r.mean}, not 5 ± ${tol.toFixed(3)}`);
    return { summary: `fired ${order}, now=${r.now}, exp(5) mean=${r.mean.toFixed(3)} (n=${r.n})`, problems };
  },
  des(r) {
    const problems = [];
    const rho = r.lambda / r.mu;
    const wq = rho / (r.mu - r.lambda); // M/M/1 mean wait in queue
    const expected = r.lambda * r.horizon;
    if (r.now !== r.horizon) problems.push(`clock at ${r.now}, not at the horizon ${r.horizon}`);
    if (!(r.served > 0 && Math.abs(r.served / expected - 1) < 0.05)) {
      problems.push(`served ${r.served}, not about lambda*T = ${expected}`);
    }
    if (!near(r.meanWait, wq, 0.2 * wq)) problems.push(`mean wait ${r.meanWait}, not Wq = ${wq} ± 20%`);
    if (!near(r.utilization, rho, 0.05))
      problems.push(`utilization ${r.utilization}, not rho = ${rho} ± 0.05`);
    return {
      summary:
        `M/M/1 to t=${r.now}: served ${r.served} (lambda*T=${expected}), mean wait ${r.meanWait.toFixed(3)} ` +
        `(Wq=${wq}), utilization ${r.utilization.toFixed(3)} (rho=${rho})`,
      problems,
    };
  },
  abm(r) {
    const problems = [];
    if (r.now !== 8) problems.push(`clock at ${r.now}, not 8`);
    if (r.agents !== 40 || r.onGrid !== 40)
      problems.push(`${r.agents} agents, ${r.onGrid} on the grid, not 40`);
    if (r.steps.length !== 1 || r.steps[0] !== 8)
      problems.push(`agents stepped ${r.steps} times, not 8 each`);
    if (r.totalWealth !== 40) problems.push(`total wealth ${r.totalWealth}: trading must conserve 40`);
    if (!(r.maxWealth > 1)) problems.push(`max wealth ${r.maxWealth}: no trade happened`);
    return {
      summary: `${r.agents} agents on a 10x10 torus, ${r.steps} steps each to t=${r.now}, wealth ${r.totalWealth} conserved (max ${r.maxWealth})`,
      problems,
    };
  },
  sd(r) {
    const problems = [];
    const n = Math.round(r.stop / r.dt);
    const euler = r.x0 * (1 - r.k * r.dt) ** n; // what Euler computes for dx/dt = -k x
    const exact = r.x0 * Math.exp(-r.k * r.stop);
    // Euler's global error on this problem is at most n local errors of x0 (k dt)^2 / 2.
    const bound = (n * r.x0 * (r.k * r.dt) ** 2) / 2;
    if (r.rows !== n + 1) problems.push(`${r.rows} saved rows, not ${n + 1}`);
    if (!near(r.final, euler, 1e-9 * r.x0))
      problems.push(`final ${r.final}, not Euler's x0 (1 - k dt)^n = ${euler}`);
    if (!near(r.final, exact, bound))
      problems.push(`final ${r.final}, not x0 exp(-k t) = ${exact} ± ${bound}`);
    return {
      summary: `decay x0=${r.x0} k=${r.k} to t=${r.stop} dt=${r.dt}: final ${r.final.toFixed(6)} (Euler ${euler.toFixed(6)}, exact ${exact.toFixed(6)})`,
      problems,
    };
  },
  // Not in the default set: the main entry of @twinkit/estimation imports node:fs, node:module,
  // node:url and piscina (worker_threads) through src/replications/run-replications.ts
  // (runReplications runs replications on worker threads). Run `... browser-bundle.mjs estimation`
  // to see the chain; add it to DEFAULT once the main entry is browser-safe.
  estimation(r) {
    const problems = [];
    const mean = r.readings.reduce((s, z) => s + z, 0) / r.readings.length;
    if (!near(r.x, mean, 1e-3)) problems.push(`estimate ${r.x}, not the mean of the readings ${mean}`);
    if (!near(r.P, 1 / r.readings.length, 1e-3))
      problems.push(`variance ${r.P}, not 1/n = ${1 / r.readings.length}`);
    return { summary: `Kalman level ${r.x.toFixed(3)}, variance ${r.P.toFixed(3)}`, problems };
  },
};
const DEFAULT = ['core', 'des', 'abm', 'sd'];

const show = (file) =>
  file.includes('<') ? basename(file) : file.startsWith(repo) ? relative(repo, file) : file;

/**
 * Bundles `entry` (a file, or `{ contents }` for stdin) for the browser. Returns `{ code, bytes, dropped }`
 * or `{ errors }`: every message names the package's import chain from the entry to the builtin.
 */
async function bundle(entry) {
  const importerOf = new Map(); // resolved file -> the file that first imported it
  const dropped = []; // builtins a package's browser field replaces with an empty module
  const chain = (file) => {
    const files = [];
    for (let f = file; f && !files.includes(f); f = importerOf.get(f)) files.unshift(f);
    return files.map(show).join(' -> ');
  };
  const guard = {
    name: 'twinkit-browser-guard',
    setup(build) {
      // Only watches (and records the import graph): returning undefined lets esbuild resolve as
      // it would without the plugin. A Node builtin gets an error that names the chain.
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.guard) return undefined;
        const r = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          namespace: args.namespace,
          with: args.with,
          pluginData: { guard: true },
        });
        const importer = args.importer;
        if (isBuiltin(args.path)) {
          if (r.errors.length === 0 && !r.external && r.namespace === '') {
            dropped.push(`${args.path} (browser field of the package of ${show(importer)})`);
            return undefined;
          }
          return {
            errors: [
              {
                text: `imports the Node builtin "${args.path}": ${chain(importer)} -> ${args.path}`,
              },
            ],
          };
        }
        if (r.errors.length === 0 && r.path && !importerOf.has(r.path)) importerOf.set(r.path, importer);
        return undefined;
      });
    },
  };
  try {
    const result = await esbuild.build({
      ...(typeof entry === 'string'
        ? { entryPoints: [entry] }
        : { stdin: { contents: entry.contents, resolveDir: fixtures, sourcefile: entry.name } }),
      absWorkingDir: repo,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      outdir: join(tmpdir(), 'twinkit-browser-bundle'), // not written: write is false
      metafile: true,
      logLevel: 'silent',
      plugins: [guard],
    });
    const errors = [];
    for (const [out, meta] of Object.entries(result.metafile.outputs)) {
      for (const i of meta.imports)
        errors.push(`${out} keeps an import of "${i.path}" (${i.kind}): a bundle must have none`);
    }
    for (const input of Object.keys(result.metafile.inputs)) {
      if (/^packages\/[^/]+\/src\//.test(input))
        errors.push(`bundled ${input}: the packages must come from dist`);
    }
    if (!Object.keys(result.metafile.inputs).some((i) => /^packages\/[^/]+\/dist\//.test(i))) {
      errors.push('no file of packages/*/dist in the bundle');
    }
    if (errors.length > 0) return { errors };
    const code = result.outputFiles[0].text;
    const minified = await esbuild.transform(code, { minify: true, format: 'esm', target: 'es2022' });
    return { code, bytes: code.length, minBytes: minified.code.length, dropped };
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    return {
      errors: e.errors.map((m) => {
        const where = m.location ? `${m.location.file}:${m.location.line}: ` : '';
        const notes = m.notes.map((n) => `\n      ${n.text}`).join('');
        return `${where}${m.text}${notes}`;
      }),
    };
  }
}

/** Serves the pages from memory on 127.0.0.1, on a free port. */
async function serve(bundles) {
  const server = createServer((req, res) => {
    const name = /^\/([a-z]+)\.(html|js)$/.exec(req.url ?? '');
    const code = name && bundles.get(name[1]);
    if (!code) {
      res.writeHead(404).end();
    } else if (name[2] === 'html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><meta charset="utf-8"><title>twinkit ${name[1]}</title><link rel="icon" href="data:,">` +
          `<script type="module" src="/${name[1]}.js"></script>`,
      );
    } else {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(code);
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** Opens a package's page and returns `{ result }` or `{ problems }` (page errors, console errors). */
async function runInPage(context, origin, name) {
  const problems = [];
  let stop;
  const failed = new Promise((ok) => {
    stop = ok;
  });
  const problem = (p) => {
    problems.push(p);
    stop();
  };
  const page = await context.newPage();
  try {
    page.on('pageerror', (e) => problem(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problem(`console error: ${m.text()}`);
    });
    // Only this machine: a request elsewhere would be a bug of the bundle.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
      problem(`request outside the page's server: ${url}`);
      return route.abort();
    });
    await page.goto(`${origin}/${name}.html`, { timeout: 10_000 });
    // The program sets window.__result when done; an error ends the wait at once.
    const done = page.waitForFunction(() => '__result' in window, undefined, { timeout: 15_000 });
    try {
      await Promise.race([done, failed]);
    } catch {
      problems.push('no window.__result after 15 s');
    }
    done.catch(() => {});
    if (problems.length > 0) return { problems };
    const result = await page.evaluate(() => window.__result);
    return problems.length > 0 ? { problems } : { result };
  } finally {
    await page.close();
  }
}

async function main() {
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT;
  for (const name of names) {
    if (!checks[name])
      throw new Error(`unknown package "${name}" (one of ${Object.keys(checks).join(', ')})`);
  }
  let failed = false;
  const missing = [...new Set(['core', 'des', ...names])].filter(
    (n) => !existsSync(join(repo, 'packages', n, 'dist', 'index.js')),
  );
  if (missing.length > 0) {
    fail(`FAIL no packages/{${missing.join(',')}}/dist/index.js: run npm run build first`);
    return 1;
  }

  // 1. Bundle, for the browser. The control must fail: @twinkit/des/node writes files.
  const bundles = new Map();
  const sizes = new Map();
  const dropped = new Set();
  for (const name of names) {
    const b = await bundle(join(fixtures, `${name}.js`));
    if (b.errors) {
      failed = true;
      fail(`FAIL @twinkit/${name}: the browser bundle of scripts/ci/browser-bundle/${name}.js failed:`);
      for (const e of b.errors.slice(0, 8)) fail(`    ${e}`);
      if (b.errors.length > 8) fail(`    ... and ${b.errors.length - 8} more`);
      continue;
    }
    bundles.set(name, b.code);
    sizes.set(name, b);
    for (const d of b.dropped) dropped.add(d);
  }
  if (dropped.size > 0) log(`     left out by a package's browser field: ${[...dropped].join(', ')}`);
  const control = await bundle({ contents: "import '@twinkit/des/node';", name: '<control>' });
  if (control.errors?.some((e) => /imports the Node builtin /.test(e))) {
    log(
      `ok   control: @twinkit/des/node does not bundle for a browser (${control.errors[0].split('\n')[0]})`,
    );
  } else {
    failed = true;
    fail('FAIL control: a browser bundle of @twinkit/des/node should fail on its node: imports, and did not');
    for (const e of control.errors ?? []) fail(`    ${e}`);
  }
  if (bundles.size === 0) return 1;

  // 2. Run each bundle in headless Chromium, from a server on this machine only.
  if (!existsSync(CHROMIUM)) {
    fail(`FAIL ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);
    return 1;
  }
  const { server, origin } = await serve(bundles);
  const profile = mkdtempSync(join(tmpdir(), 'twinkit-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 20_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    for (const name of bundles.keys()) {
      const { bytes, minBytes } = sizes.get(name);
      const size = `${(bytes / 1024).toFixed(1)} KB (${(minBytes / 1024).toFixed(1)} KB minified)`;
      const run = await runInPage(context, origin, name);
      const verdict = run.problems
        ? { summary: 'did not run', problems: run.problems }
        : checks[name](run.result);
      if (verdict.problems.length === 0) {
        log(`ok   @twinkit/${name}: ${size}: ${verdict.summary}: OK`);
      } else {
        failed = true;
        fail(`FAIL @twinkit/${name}: ${size}: ${verdict.summary}`);
        for (const p of verdict.problems) fail(`    ${p}`);
      }
    }
  } finally {
    await context?.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

const deadline = setTimeout(() => {
  fail(`FAIL browser bundle check: not done after ${DEADLINE_MS / 1000} s`);
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();
try {
  process.exitCode = await main();
} catch (e) {
  fail(`FAIL browser bundle check: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await esbuild.stop();
}
