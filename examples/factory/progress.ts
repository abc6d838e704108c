/** A one-line progress indicator on stderr, shown only on a terminal and not in CI. */

/** Writes progress; a no-op when disabled. */
export interface Progress {
  /** Shows `label` with a bar for `fraction` (0..1) of the current phase. */
  update(label: string, fraction: number): void;
  /** Clears the line. */
  done(): void;
}

/** Returns true when a progress indicator should be shown on `stream`. */
export function progressEnabled(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
): boolean {
  const ci = env.CI;
  return stream.isTTY === true && (ci === undefined || ci === '' || ci === 'false' || ci === '0');
}

/** Creates a progress indicator writing to `stream` when `enabled`. */
export function createProgress(stream: { write(text: string): unknown }, enabled: boolean): Progress {
  if (!enabled) return { update() {}, done() {} };
  let last = '';
  return {
    update(label, fraction) {
      const f = Math.min(1, Math.max(0, fraction));
      const width = 24;
      const filled = Math.round(f * width);
      const line = `${label.padEnd(34)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * f).toFixed(0).padStart(3)}%`;
      if (line !== last) stream.write(`\r${line}`);
      last = line;
    },
    done() {
      if (last !== '') stream.write(`\r${' '.repeat(last.length)}\r`);
      last = '';
    },
  };
}
