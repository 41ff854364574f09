/**
 * Redaction for quoted log lines: HTTP Authorization values, password/secret assignments, and
 * every value configured as a secret (XFED_AXL_PASSWORD, XFED_DIALBACK_SECRET, ...) in plain,
 * base64 and URL-encoded form. Applied before a line is stored in facts, so no renderer and no
 * JSON output ever sees the secret.
 */

export const REDACTED = '[redacted]';

const AUTH =
  /(authori[sz]ation\s*["']?\s*[:=]\s*["']?\s*)(?:(basic|bearer|digest|negotiate)\s+)?[^\s"',;]+/gi;
const ASSIGN =
  /((?:pass(?:word|wd)?|pwd|secret|dialback[_ -]?secret|shared[_ -]?secret|api[_-]?key|token)\s*["']?\s*[:=]\s*["']?)[^\s"',;&<]+/gi;

export class Redactor {
  private readonly literals: string[] = [];

  constructor(secrets: readonly (string | undefined)[] = []) {
    for (const s of secrets) {
      if (!s || s.length < 4) continue;
      this.literals.push(s, Buffer.from(s).toString('base64'), encodeURIComponent(s));
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.literals.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const l of this.literals) if (out.includes(l)) out = out.split(l).join(REDACTED);
    out = out.replace(
      AUTH,
      (_m, pre: string, scheme?: string) => `${pre}${scheme ? `${scheme} ` : ''}${REDACTED}`,
    );
    return out.replace(ASSIGN, (_m, pre: string) => `${pre}${REDACTED}`);
  }
}
