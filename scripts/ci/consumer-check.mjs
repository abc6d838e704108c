#!/usr/bin/env node
// What an npm user gets: packs every package, checks the tarballs as the ecosystem does (publint,
// @arethetypeswrong/cli), installs them into a fresh project outside the repository, imports every
// entry point as ESM and as CommonJS, type-checks a small TypeScript consumer, runs a tiny model and
// the twinkit-sd command, and runs every ```ts program of the README, the guides and the package
// READMEs verbatim there, comparing what each prints with the ```text block that follows it.
//
// Run after `npm run build`: node scripts/ci/consumer-check.mjs [--keep] [--only docs/sd.md]
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
const keep = process.argv.includes('--keep');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
const failures = [];
const log = (line) => process.stdout.write(`${line}\n`);
const run = (cmd, args, options = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options, env: { ...process.env, ...options.env } });
  return {
    code: r.status,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '').replace(/npm warn[^\n]*\n/g, ''),
  };
};
const check = (label, ok, detail = '') => {
  log(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
  if (!ok) failures.push(`${label}${detail ? `\n${detail}` : ''}`);
};

const packages = readdirSync(join(repo, 'packages'))
  .filter((d) => existsSync(join(repo, 'packages', d, 'package.json')))
  .map((d) => {
    const dir = join(repo, 'packages', d);
    return { dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
  })
  .filter((p) => !p.manifest.private);

const work = mkdtempSync(join(tmpdir(), 'twinkit-consumer-'));
const packs = join(work, 'packs');
const app = join(work, 'app');
mkdirSync(packs);
mkdirSync(app);
log(`consumer project: ${app}`);

// 1. Pack, and lint each package as published.
for (const { dir, manifest } of packages) {
  if (!existsSync(join(dir, 'dist'))) {
    check(`${manifest.name}: built`, false, `no ${relative(repo, dir)}/dist: run npm run build first`);
    continue;
  }
  const packed = run('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: dir });
  check(`${manifest.name}: npm pack`, packed.code === 0, packed.stderr);
  const tarball = join(packs, packed.stdout.trim().split('\n').pop());
  const publint = run('npx', ['publint', '--strict', dir], { cwd: repo });
  check(`${manifest.name}: publint`, publint.code === 0, publint.stdout + publint.stderr);
  // node10 resolution predates `exports`; the packages need Node >= 20.19, so it is not a target.
  const attw = run('npx', ['attw', '--profile', 'node16', '--format', 'ascii', tarball], { cwd: repo });
  check(`${manifest.name}: arethetypeswrong`, attw.code === 0, attw.stdout + attw.stderr);
}

// 2. A fresh ESM project that installs the tarballs (and what a TypeScript user adds).
writeFileSync(
  join(app, 'package.json'),
  `${JSON.stringify({ name: 'twinkit-consumer', private: true, type: 'module' }, null, 2)}\n`,
);
const tarballs = readdirSync(packs).map((f) => join(packs, f));
const rootManifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const devVersion = (name) => `${name}@${rootManifest.devDependencies[name]}`;
const install = run(
  'npm',
  [
    'install',
    '--no-audit',
    '--no-fund',
    ...tarballs,
    devVersion('typescript'),
    devVersion('tsx'),
    devVersion('@types/node'),
  ],
  { cwd: app },
);
check('npm install of the tarballs into a fresh project', install.code === 0, install.stderr);
if (install.code !== 0) finish();

// 3. Every entry point loads as ESM and as CommonJS, from the installed copies (not the workspace).
const entryPoints = packages.flatMap(({ manifest }) =>
  Object.keys(manifest.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`)),
);
for (const spec of entryPoints) {
  const esm = run(
    'node',
    ['--input-type=module', '-e', `const m = await import('${spec}'); console.log(Object.keys(m).length);`],
    { cwd: app },
  );
  check(`import('${spec}') as ESM`, esm.code === 0 && Number(esm.stdout) > 0, esm.stderr);
  const cjs = run('node', ['-e', `const m = require('${spec}'); console.log(Object.keys(m).length);`], {
    cwd: app,
  });
  check(`require('${spec}') as CommonJS`, cjs.code === 0 && Number(cjs.stdout) > 0, cjs.stderr);
  const where = run('node', ['-e', `console.log(require.resolve('${spec}'))`], { cwd: app });
  check(`${spec} resolves inside the consumer`, where.stdout.startsWith(app), where.stdout);
}

// 4. A TypeScript consumer type-checks under NodeNext (the strictest resolution) and runs.
writeFileSync(
  join(app, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      types: ['node'],
      skipLibCheck: false,
    },
    include: ['consumer.ts'],
  }),
);
writeFileSync(
  join(app, 'consumer.ts'),
  `import { defineModel, Tally } from '@twinkit/core';
import { Resource } from '@twinkit/des';
import { confidenceInterval } from '@twinkit/estimation';

// A tiny M/M/1 queue: arrivals at rate 0.5, service at rate 1, for 1,000 time units.
const mm1 = defineModel((sim) => {
  const server = new Resource(sim, { capacity: 1 });
  const waits = new Tally('wait');
  sim.process(function* () {
    for (;;) {
      yield sim.timeout(sim.rng('arrivals').exponential(0.5));
      sim.process(function* () {
        const arrived = sim.now;
        const request = server.request();
        yield request;
        waits.add(sim.now - arrived);
        yield sim.timeout(sim.rng('service').exponential(1));
        server.release(request);
      });
    }
  });
  return { waits };
});
const means = [1, 2, 3, 4].map((replication) => {
  const sim = mm1.create({ seed: 7, replication });
  sim.run({ until: 1000 });
  return sim.model.waits.mean;
});
const ci = confidenceInterval(means, 0.95);
console.log(means.length === 4 && Number.isFinite(ci.mean) && ci.mean > 0 ? 'ok' : 'wrong');
`,
);
const tsc = run('npx', ['tsc', '-p', '.'], { cwd: app });
check(
  'a TypeScript consumer type-checks (NodeNext, strict, library declarations checked)',
  tsc.code === 0,
  tsc.stdout + tsc.stderr,
);
const tiny = run('npx', ['tsx', 'consumer.ts'], { cwd: app });
check(
  'a tiny model runs from the installed packages',
  tiny.code === 0 && tiny.stdout.trim() === 'ok',
  tiny.stdout + tiny.stderr,
);

// 5. The twinkit-sd command, as docs/sd.md gives it.
cpSync(join(repo, 'fixtures/sd-test-models/samples/SIR/SIR.xmile'), join(app, 'SIR.xmile'));
const sdCli = run('npx', ['twinkit-sd', 'run', 'SIR.xmile', '--method', 'rk4', '--out', 'sir.csv'], {
  cwd: app,
});
check(
  'npx twinkit-sd run SIR.xmile',
  sdCli.code === 0 && existsSync(join(app, 'sir.csv')),
  sdCli.stdout + sdCli.stderr,
);

// 6. Every ```ts program of the docs, verbatim, in the consumer project. A block that starts with
// an import is a program; a block fenced ```ts fragment is a shape, not a program, and is skipped.
const pages = [
  'README.md',
  ...readdirSync(join(repo, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...packages.map(({ dir }) => relative(repo, join(dir, 'README.md'))),
].filter((page) => existsSync(join(repo, page)) && (!only || page === only));
// The Modbus programs of docs/adapters.md poll a device on 127.0.0.1:5020: the pymodbus device of
// the adapters' tests (Debian's python3-pymodbus; .ci/run installs it).
const modbusDevice = spawn(
  '/usr/bin/python3',
  [join(repo, 'packages/adapters/test-support/modbus-server.py'), '5020'],
  {
    stdio: 'ignore',
  },
);
process.on('exit', () => modbusDevice.kill('SIGKILL'));
for (let i = 0; i < 100 && !(await portOpen(5020)); i++) await new Promise((r) => setTimeout(r, 100));
check('the Modbus device of the docs listens on 127.0.0.1:5020', await portOpen(5020));
const docsDir = join(app, 'docs-programs');
mkdirSync(docsDir);
let programs = 0;
for (const page of pages) {
  const text = readFileSync(join(repo, page), 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```(?:\n\n```text\n([\s\S]*?)```)?/g)];
  blocks.forEach((match, i) => {
    const [, code, expected] = match;
    const line = text.slice(0, match.index).split('\n').length;
    const label = `${page}:${line} runs verbatim${expected !== undefined ? ' and prints what the page says' : ''}`;
    if (!code.startsWith('import ')) {
      check(
        label,
        false,
        'a ```ts block must be a whole program that starts with its imports (or be fenced ```ts fragment)',
      );
      return;
    }
    programs += 1;
    const file = join(docsDir, `${page.replace(/[/.]/g, '_')}_${i + 1}.ts`);
    writeFileSync(file, code);
    // Programs run from the project's folder, as a user runs them; paths in them are relative to it.
    const r = run('npx', ['tsx', file], { cwd: app, timeout: 180_000 });
    const ok = r.code === 0 && r.stderr === '' && (expected === undefined || r.stdout === expected);
    check(
      label,
      ok,
      `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}\n--- expected\n${expected ?? '(any)'}`,
    );
  });
}
check(`docs hold runnable programs (${programs} found)`, programs >= (only ? 1 : 20));

finish();

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function finish() {
  if (!keep) rmSync(work, { recursive: true, force: true });
  if (failures.length > 0) {
    log(`\n${failures.length} check(s) failed:\n`);
    for (const f of failures) log(`- ${f}\n`);
    process.exit(1);
  }
  log('\nconsumer check: every check passed');
  process.exit(0);
}
