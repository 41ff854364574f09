/**
 * Output formats (--format): each is a renderer of the same Report objects. Streaming
 * formats print each report as soon as it is ready (in input order); whole-run formats
 * (nagios, junit) print once every target is done.
 *
 * Start-up: only the chosen format's module is loaded (`loadRenderer`), so `--json` does not
 * pay for the text, JUnit or Markdown renderers, and the other way round.
 */
import type { FailOn, Report } from './model.js';
import type { Style } from './text.js';

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

export interface Renderer {
  /** Per-report output of the streaming formats; undefined for whole-run formats. */
  each(r: Report, index: number, factLines: readonly string[]): string | undefined;
  /** Output once every report is in; undefined when the format has nothing to add. */
  end(reports: readonly Report[], failOn: FailOn): RunOutput | undefined;
}

const none = () => undefined;

/** Imports the renderer of one format; `style` is the terminal style of the text format. */
export async function loadRenderer(format: OutputFormat, style?: Style): Promise<Renderer> {
  switch (format) {
    case 'json': {
      const { renderJson } = await import('./json.js');
      return { each: (r) => renderJson(r), end: none };
    }
    case 'github': {
      const { renderGithub, renderGithubSummary } = await import('./github.js');
      return {
        each: (r) => renderGithub(r),
        end: (reports) => ({ text: '', summary: renderGithubSummary(reports) }),
      };
    }
    case 'markdown': {
      const { renderMarkdown } = await import('./markdown.js');
      return { each: (r, i) => `${i > 0 ? '\n' : ''}${renderMarkdown(r)}`, end: none };
    }
    case 'nagios': {
      const { renderNagios } = await import('./nagios.js');
      return { each: none, end: (reports, failOn) => renderNagios(reports, failOn) };
    }
    case 'junit': {
      const { renderJunit } = await import('./junit.js');
      return { each: none, end: (reports, failOn) => ({ text: renderJunit(reports, failOn) }) };
    }
    case 'text': {
      const { renderText } = await import('./text.js');
      if (!style) throw new Error('the text format needs the terminal style');
      const st = style;
      return { each: (r, i, lines) => `${i === 0 ? '' : '\n'}${renderText(r, st, lines)}`, end: none };
    }
  }
}
