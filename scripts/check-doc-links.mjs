#!/usr/bin/env node
// Checks every relative link of the repository's Markdown (README, guides, package and example
// READMEs): the file or folder it names exists, and a #fragment names a heading of the target page
// (GitHub's slugs). Web links are not fetched: CI has no internet. Part of `npm run docs`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const pages = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
  cwd: repo,
  encoding: 'utf8',
})
  .split('\n')
  .filter((p) => p && !p.startsWith('fixtures/') && existsSync(join(repo, p)));

// GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered.
function anchorsOf(file) {
  const seen = new Map();
  const anchors = new Set();
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1]
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const problems = [];
for (const page of pages) {
  const text = readFileSync(join(repo, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  for (const m of text.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [path, fragment] = target.split('#');
    const file = path ? resolve(dirname(join(repo, page)), decodeURI(path)) : join(repo, page);
    if (!existsSync(file)) {
      problems.push(`${page}: link to ${target}: ${path} does not exist`);
      continue;
    }
    if (fragment && statSync(file).isFile() && file.endsWith('.md') && !anchorsOf(file).has(fragment)) {
      problems.push(`${page}: link to ${target}: no heading #${fragment} in ${path || page}`);
    }
  }
}
if (problems.length > 0) {
  process.stderr.write(`Broken links in the documentation:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(`doc links: ${pages.length} pages, every relative link resolves\n`);
