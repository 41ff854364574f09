/**
 * A transcript view that prefixes every line with a connection label ("listener#2",
 * "originating", ...), so the several concurrent connections of one dialback run (ours, the
 * peer's callbacks, our own verifications) stay readable in one transcript. Redaction and
 * bounds stay with the shared transcript it writes to.
 */
import { Transcript } from '../../transcript/recorder.js';

export class LabelledTranscript extends Transcript {
  constructor(
    private readonly base: Transcript,
    private readonly label: string,
  ) {
    super();
  }

  override addSecret(secret: string | undefined): void {
    this.base.addSecret(secret);
  }

  override redact(text: string): string {
    return this.base.redact(text);
  }

  override out(data: string): void {
    this.base.out(`[${this.label}] ${data}`);
  }

  override in(data: string): void {
    this.base.in(`[${this.label}] ${data}`);
  }

  override note(data: string): void {
    this.base.note(`[${this.label}] ${data}`);
  }
}
