/**
 * Untrusted text (anything that came from the network, a file or the command line) made safe
 * for a terminal: control characters (C0 but tab/newline where allowed, DEL, C1) and the
 * bidirectional-formatting characters that can reorder what a reader sees are replaced by a
 * visible escape (`\x1b`, `\u202e`). Every text renderer and every error message runs
 * untrusted values through here; JSON output needs no such step (JSON.stringify escapes).
 */

// C0 controls, DEL, C1 controls; the bidi embeddings/overrides/isolates and marks; the
// Unicode line and paragraph separators (a terminal may break the line there).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.codePointAt(0)!;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

export interface SafeTextOptions {
  /** Keep `\n` (multi-line text such as a transcript); other controls are still escaped. */
  newlines?: boolean;
  /** Shorten to this many characters (after escaping), ending with `…`. */
  max?: number;
}

/** Escapes control and bidi characters; optionally keeps newlines and shortens. */
export function safeText(s: string, opts: SafeTextOptions = {}): string {
  let out = s.replace(UNSAFE, (c) => (c === '\n' && opts.newlines ? c : c === '\t' ? ' ' : escapeChar(c)));
  if (opts.max !== undefined && out.length > opts.max) out = `${out.slice(0, Math.max(0, opts.max - 1))}…`;
  return out;
}

/** True when `s` holds nothing `safeText` would change (tabs aside). */
export function isSafeText(s: string): boolean {
  return !/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(
    s,
  );
}
