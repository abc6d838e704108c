#!/usr/bin/env node
// Keeps the layers honest: core <- des/abm/sd <- estimation <- adapters.
// Checks both each package.json's dependencies and every import in packages/*/src.
// des, abm and sd never import each other; examples/ and benchmarks/ import public entry points only.
// `@twinkit/core/internal` (validators, RNG internals) is for the sibling packages in packages/* only.
// The kernels (core, des, abm, sd) bundle for a browser: outside their `src/node/` entry (and the sd
// command line) they import no `node:` module, and `src/node/` imports its own package's main entry
// by name (as the sd command line imports both), so the built entries share the main entry's
// classes instead of copying them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const allowed = {
  core: [],
  des: ['core'],
  abm: ['core'],
  sd: ['core'],
  estimation: ['core', 'des', 'abm', 'sd'],
  adapters: ['core', 'estimation'],
};

const BROWSER_KERNELS = ['core', 'des', 'abm', 'sd'];
const problems = [];
const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === 'out') return [];
    return statSync(path).isDirectory() ? files(path) : /\.(ts|mts|cts|js|mjs)$/.test(name) ? [path] : [];
  });
// Comments (TSDoc examples show imports) are not imports.
const stripComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
const importRe =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

for (const pkg of readdirSync('packages')) {
  const manifest = join('packages', pkg, 'package.json');
  if (!existsSync(manifest)) continue;
  if (!(pkg in allowed)) {
    problems.push(
      `packages/${pkg}: not in the dependency map of scripts/check-deps.mjs; add its allowed imports there`,
    );
    continue;
  }
  const json = JSON.parse(readFileSync(manifest, 'utf8'));
  const deps = { ...json.dependencies, ...json.peerDependencies, ...json.devDependencies };
  for (const dep of Object.keys(deps)) {
    const m = /^@twinkit\/(.+)$/.exec(dep);
    if (m && !allowed[pkg].includes(m[1])) {
      problems.push(
        `${manifest}: @twinkit/${pkg} may not depend on ${dep} (allowed: ${allowed[pkg].join(', ') || 'none'})`,
      );
    }
  }
  for (const file of files(join('packages', pkg, 'src'))) {
    const text = stripComments(readFileSync(file, 'utf8'));
    const inNodeEntry = file.startsWith(join('packages', pkg, 'src', 'node') + '/');
    const inCli = file.startsWith(join('packages', pkg, 'src', 'cli') + '/');
    const browserSafe = BROWSER_KERNELS.includes(pkg) && !inNodeEntry && !/\.test\.ts$/.test(file) && !inCli;
    for (const match of text.matchAll(importRe)) {
      const spec = match[1] ?? match[2] ?? match[3];
      const m = /^@twinkit\/([^/]+)(\/.*)?$/.exec(spec);
      if (browserSafe && /^node:|^(fs|path|os|child_process|worker_threads|url|crypto)$/.test(spec)) {
        problems.push(
          `${file}: imports ${spec}; @twinkit/${pkg} bundles for a browser, so Node-only code goes in src/node/ (the @twinkit/${pkg}/node entry)`,
        );
      }
      // The node entry uses its main entry; the sd command line uses both entries.
      if (m && inNodeEntry && m[1] === pkg && !m[2]) continue;
      if (m && inCli && m[1] === pkg && (!m[2] || m[2] === '/node')) continue;
      if (m) {
        if (!allowed[pkg].includes(m[1]))
          problems.push(
            `${file}: imports ${spec}; @twinkit/${pkg} may import only ${allowed[pkg].join(', ') || 'nothing from twinkit'}`,
          );
        if (m[2] && spec !== '@twinkit/core/internal')
          problems.push(
            `${file}: imports ${spec}; import the package entry point @twinkit/${m[1]} (or @twinkit/core/internal) only`,
          );
      } else if (spec.startsWith('.')) {
        // Shipped code stays in src/; a test may also use its package's test support (test/,
        // test-support/) and the repository's test-support/, none shipped, but nothing of another package.
        const target = resolve(dirname(file), spec);
        const isTest = /\.test\.ts$/.test(file);
        const root = resolve('packages', pkg, isTest ? '' : 'src');
        const sharedTestSupport = isTest && target.startsWith(`${resolve('test-support')}/`);
        if (!target.startsWith(`${root}/`) && !sharedTestSupport) {
          problems.push(
            `${file}: relative import ${spec} leaves packages/${pkg}${isTest ? '' : '/src'}; import @twinkit/<name> instead`,
          );
        }
      }
    }
  }
}
// A package's public entry points are the subpaths its package.json exports (`@twinkit/adapters/mqtt`).
const exportedSubpath = (spec) => {
  const m = /^@twinkit\/([^/]+)\/(.+)$/.exec(spec);
  if (!m) return false;
  const manifest = join('packages', m[1], 'package.json');
  if (!existsSync(manifest)) return false;
  const exports = JSON.parse(readFileSync(manifest, 'utf8')).exports ?? {};
  return Object.hasOwn(exports, `./${m[2]}`);
};
for (const dir of ['examples', 'benchmarks']) {
  if (!existsSync(dir)) continue;
  for (const file of files(dir)) {
    const text = stripComments(readFileSync(file, 'utf8'));
    for (const match of text.matchAll(importRe)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (/^@twinkit\/[^/]+\/internal(\/|$)/.test(spec)) {
        problems.push(
          `${file}: imports ${spec}; that entry point is for the @twinkit packages only, use the public @twinkit/<name> entry points`,
        );
      } else if (
        (/^@twinkit\/[^/]+\/(?!package\.json)/.test(spec) && !exportedSubpath(spec)) ||
        /packages\/[a-z]+\/src/.test(spec)
      ) {
        problems.push(
          `${file}: imports ${spec}; examples and benchmarks use the public entry points (@twinkit/<name>) only`,
        );
      }
    }
  }
}
if (problems.length > 0) {
  console.error(
    `Dependency direction check failed (core <- des/abm/sd <- estimation <- adapters):\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log('dependency direction: ok');
