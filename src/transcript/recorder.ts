/**
 * Transcript recorder. Every probe writes what it sent and received here; secrets are
 * redacted as they are recorded, so nothing secret is ever stored, let alone printed.
 * Bounded: at most MAX_ENTRIES entries of at most MAX_DATA characters each.
 */
import type { TranscriptEntry } from '../report/model.js';

export const REDACTED = '[redacted]';
const MAX_ENTRIES = 5000;
const MAX_DATA = 8192;

export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  private readonly secrets = new Set<string>();
  private dropped = 0;

  constructor(private readonly startMs: number = Date.now()) {}

  /** Registers a value that must never appear in the transcript (password, dialback secret, ...). */
  addSecret(secret: string | undefined): void {
    if (secret && secret.length > 0) this.secrets.add(secret);
  }

  /** Removes every registered secret (and Authorization header values) from a string. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(REDACTED);
    return out.replace(/^(authorization|proxy-authorization)\s*:\s*.*$/gim, `$1: ${REDACTED}`);
  }

  out(data: string): void {
    this.push('out', data);
  }

  in(data: string): void {
    this.push('in', data);
  }

  note(data: string): void {
    this.push('note', data);
  }

  private push(dir: TranscriptEntry['dir'], data: string): void {
    if (this.entries.length >= MAX_ENTRIES) {
      this.dropped++;
      return;
    }
    let d = this.redact(data);
    if (d.length > MAX_DATA) d = `${d.slice(0, MAX_DATA)}… [${d.length - MAX_DATA} more characters]`;
    this.entries.push({ t: Math.max(0, Date.now() - this.startMs), dir, data: d });
  }

  /** The entries, with a closing note when the bound dropped some. */
  snapshot(): TranscriptEntry[] {
    if (this.dropped === 0) return [...this.entries];
    return [
      ...this.entries,
      { t: Date.now() - this.startMs, dir: 'note', data: `${this.dropped} entries dropped` },
    ];
  }
}
