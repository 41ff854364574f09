/**
 * Output formats (--format): each is a renderer of the same Report objects. Streaming
 * formats print each report as soon as it is ready (in input order); whole-run formats
 * (nagios, junit) print once every target is done. The text format needs the terminal's
 * style and stays with the base command.
 */
import { renderGithub, renderGithubSummary } from './github.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { FailOn, Report } from './model.js';
import { renderNagios } from './nagios.js';

export const FORMATS = ['text', 'json', 'nagios', 'junit', 'github', 'markdown'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export interface RunOutput {
  /** Printed on stdout after the last report. */
  text: string;
  /** Replaces the report contract's exit code (nagios: 0-3). */
  exitCode?: number;
  /** GitHub: Markdown for the job summary (GITHUB_STEP_SUMMARY). */
  summary?: string;
}

/** Per-report output of the streaming formats; undefined for whole-run formats and text. */
export function renderEach(format: OutputFormat, r: Report, index: number): string | undefined {
  switch (format) {
    case 'json':
      return renderJson(r);
    case 'github':
      return renderGithub(r);
    case 'markdown':
      return `${index > 0 ? '\n' : ''}${renderMarkdown(r)}`;
    default:
      return undefined;
  }
}

/** Output once every report is in; undefined when the format has nothing to add. */
export function renderEnd(
  format: OutputFormat,
  reports: readonly Report[],
  failOn: FailOn,
): RunOutput | undefined {
  switch (format) {
    case 'nagios':
      return renderNagios(reports, failOn);
    case 'junit':
      return { text: renderJunit(reports, failOn) };
    case 'github':
      return { text: '', summary: renderGithubSummary(reports) };
    default:
      return undefined;
  }
}
