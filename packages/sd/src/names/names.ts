/**
 * XMILE name rules: names compare case-insensitively, spaces, underscores and escaped line
 * breaks (`\n`) are equivalent, and surrounding double quotes are not part of the name.
 */

/** Returns the canonical form of an XMILE name: unquoted, lower-case, `_` for any run of blanks. */
export function canonicalName(name: string): string {
  let s = name.trim();
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  return s
    .replace(/\\n/g, ' ')
    .replace(/[\s_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** Returns the name as a modeller reads it: unquoted, escaped line breaks and runs of blanks as one space. */
export function displayName(name: string): string {
  let s = name.trim();
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  return s.replace(/\\n/g, ' ').replace(/\s+/g, ' ').trim();
}
