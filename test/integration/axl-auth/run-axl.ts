/** Runs the axl-auth pipeline in-process (gather -> judge -> report) against a fake endpoint. */
import type { LookupFunction } from 'node:net';
import type { AxlFacts } from '../../../src/facts/axl.js';
import { type AxlOptions, axlRunOptions, gatherAxl } from '../../../src/gather/axl.js';
import { axlRules } from '../../../src/judge/rules/axl.js';
import { runTarget } from '../../../src/pipeline/run.js';
import type { Report } from '../../../src/report/model.js';
import { fakeCiscoEndpoint } from '../../fakes/fake-axl-server.js';

export interface RunAxl {
  report: Report;
  facts: AxlFacts;
  ids: string[];
}

export async function runAxl(
  port: number,
  over: Partial<AxlOptions> & { timeoutMs?: number; lookup?: LookupFunction } = {},
): Promise<RunAxl> {
  const { timeoutMs = 3000, ...rest } = over;
  const o: AxlOptions = {
    ...fakeCiscoEndpoint(port),
    queryS2s: false,
    ...rest,
  };
  const report = await runTarget(
    { command: 'axl-auth', gather: (_h, ctx) => gatherAxl(o, ctx), rules: axlRules },
    o.host,
    axlRunOptions(o, { timeoutMs, transcript: true }),
  );
  return { report, facts: report.facts as unknown as AxlFacts, ids: report.findings.map((f) => f.id) };
}

/** The finding with this id (throws when absent, so a test fails with the ids it got). */
export function finding(r: RunAxl, id: string): Report['findings'][number] {
  const f = r.report.findings.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id}; got ${r.ids.join(', ')}`);
  return f;
}
