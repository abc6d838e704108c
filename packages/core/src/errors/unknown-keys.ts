import { formatValue, invalidArgument, TwinkitError } from './errors';

/**
 * Throws a clear error when an options object has a key the API does not know (a typo, or another
 * library's name for an option), naming the API, the key, its value, the known keys and the closest
 * of them: `new Container(sim, options): unknown option 'init' (given 3); the options are 'capacity',
 * 'initial', 'name' and 'queueCapacity'. Did you mean 'initial'?`. Also refuses an `options` that is
 * not a plain object (`sim.run(100)` instead of `sim.run({ until: 100 })`); `undefined` passes.
 *
 * Call it once per call of a constructor or a `run`, never in a per-event loop: it walks the keys.
 *
 * @param api - The API that was called, e.g. `'new Container(sim, options)'`.
 * @param options - The options object the caller passed (or `undefined`).
 * @param known - Every key the API reads.
 * @param example - An example of well-formed options for the "must be an object" message, e.g. `'{ until: 100 }'`.
 *
 * @example
 * ```ts
 * rejectUnknownKeys('new Container(sim, options)', options, ['capacity', 'initial', 'name', 'queueCapacity']);
 * ```
 */
export function rejectUnknownKeys(
  api: string,
  options: unknown,
  known: readonly string[],
  example?: string,
): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidArgument(
      api,
      `options must be an object (known keys: ${listKeys(known, 'and')})`,
      options,
      example === undefined ? undefined : `Pass for example ${example}.`,
    );
  }
  for (const key in options) {
    if (!known.includes(key)) throw unknownKey(api, key, (options as Record<string, unknown>)[key], known);
  }
}

/** Builds the error for one unknown key (kept out of the loop above so the loop stays small). */
function unknownKey(api: string, key: string, value: unknown, known: readonly string[]): TwinkitError {
  const suggestion = closestMatch(key, known);
  const remedy =
    suggestion === undefined
      ? known.length === 0
        ? 'Pass no options.'
        : 'Remove it, or use one of the known options.'
      : `Did you mean ${quote(suggestion)}?`;
  const knownText = known.length === 0 ? 'it takes no options' : `the options are ${listKeys(known, 'and')}`;
  return new TwinkitError(
    `${api}: unknown option ${quote(key)} (given ${formatValue(value)}); ${knownText}. ${remedy}`,
    { code: 'INVALID_ARGUMENT', details: { key, value, known: [...known], suggestion } },
  );
}

/**
 * Returns the entry of `candidates` closest to `word`, or undefined when none is close enough to be a
 * plausible intent: ignoring case, an edit distance (insertions, deletions, substitutions and swaps
 * of neighbours) of at most 1 for words up to 4 letters, 2 up to 8 and 3 beyond, or one word being a
 * prefix of the other (at least 3 letters, as `init` of `initial`) or inside it (at least 4 letters,
 * as `precision` in `relativePrecision`). Close spellings rank before prefixes, prefixes before
 * words inside; ties go to the earlier candidate.
 *
 * @example
 * ```ts
 * closestMatch('capcity', ['capacity', 'name']); // 'capacity'
 * closestMatch('init', ['capacity', 'initial']);  // 'initial'
 * closestMatch('colour', ['capacity']);          // undefined
 * ```
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const distance = editDistance(w, c);
    const longest = Math.max(w.length, c.length);
    const limit = longest <= 4 ? 1 : longest <= 8 ? 2 : 3;
    let score = distance <= limit ? distance : Number.POSITIVE_INFINITY;
    const shorter = w.length <= c.length ? w : c;
    const longer = shorter === w ? c : w;
    if (score === Number.POSITIVE_INFINITY) {
      if (shorter.length >= 3 && longer.startsWith(shorter)) score = 4;
      else if (shorter.length >= 4 && longer.includes(shorter)) score = 5;
    }
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  return best;
}

/** Optimal-string-alignment distance: Levenshtein plus swaps of two neighbouring letters. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

function quote(key: string): string {
  return `'${key}'`;
}

/** `'a', 'b' and 'c'` (or `or`). */
function listKeys(keys: readonly string[], conjunction: 'and' | 'or'): string {
  const quoted = keys.map(quote);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted[quoted.length - 1]}`;
}
