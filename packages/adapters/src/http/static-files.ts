/**
 * The dashboard's files, served from one directory: no path leaves it, neither by `..` (plain or
 * percent-encoded) nor by a symbolic link pointing outside, and hidden files stay hidden.
 */
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
};

/** The content type of a file, from its extension (unknown ones: `application/octet-stream`). */
export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** A file found for a request path: open it, tell its type and size. */
export interface StaticFile {
  readonly handle: FileHandle;
  readonly type: string;
  readonly size: number;
  readonly modified: Date;
}

/** Why a path is not served: `'bad'` (400: not a path at all), `'missing'` (404, also for refused paths). */
export type StaticMiss = 'bad' | 'missing';

/** Looks up request paths in one directory (its real path, symbolic links resolved, once). */
export class StaticDirectory {
  private constructor(private readonly root: string) {}

  /** Opens the directory; rejects when it does not exist or is not a directory. */
  static async open(dir: string): Promise<StaticDirectory> {
    const root = await realpath(dir);
    const s = await stat(root);
    if (!s.isDirectory()) throw new Error(`${dir} is not a directory`);
    return new StaticDirectory(root);
  }

  /** The directory served (its real path). */
  get path(): string {
    return this.root;
  }

  /**
   * Finds the file for a URL path (`/`, `/app.js`, `/img/logo.svg`; the query already removed).
   * A directory serves its `index.html`.
   */
  async find(urlPath: string): Promise<StaticFile | StaticMiss> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return 'bad';
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return 'bad';
    const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
    // `..` anywhere, plain or decoded from %2e%2e, and hidden files (.env, .git) are never served.
    if (segments.some((s) => s.startsWith('.'))) return 'missing';
    let path = join(this.root, ...segments);
    if (!this.inside(path)) return 'missing';
    let real: string;
    let s: Stats;
    try {
      real = await realpath(path);
      if (!this.inside(real)) return 'missing';
      s = await stat(real);
      if (s.isDirectory()) {
        path = join(real, 'index.html');
        real = await realpath(path);
        if (!this.inside(real)) return 'missing';
        s = await stat(real);
      }
    } catch {
      return 'missing';
    }
    if (!s.isFile()) return 'missing';
    let handle: FileHandle;
    try {
      // O_NOFOLLOW: the real path just checked cannot have become a link meanwhile.
      handle = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch {
      return 'missing';
    }
    return { handle, type: contentType(real), size: s.size, modified: s.mtime };
  }

  private inside(path: string): boolean {
    return path === this.root || path.startsWith(this.root.endsWith(sep) ? this.root : `${this.root}${sep}`);
  }
}
