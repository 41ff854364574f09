/** Runs the cisco services pipeline in-process (gather -> judge -> report) against a fake node. */
import type { CiscoServicesFacts } from '../../../src/facts/cisco.js';
import {
  type CiscoServicesOptions,
  ciscoServicesRunOptions,
  gatherCiscoServices,
} from '../../../src/gather/cisco-services.js';
import { ciscoServicesRules } from '../../../src/judge/rules/cisco.js';
import { runTarget } from '../../../src/pipeline/run.js';
import type { Report } from '../../../src/report/model.js';
import { fakeCiscoEndpoint } from '../../fakes/fake-axl-server.js';

export interface RunCisco {
  report: Report;
  facts: CiscoServicesFacts;
  ids: string[];
}

export async function runCisco(
  port: number,
  over: Partial<CiscoServicesOptions> & { timeoutMs?: number } = {},
): Promise<RunCisco> {
  const { timeoutMs = 3000, ...rest } = over;
  const o: CiscoServicesOptions = {
    ...fakeCiscoEndpoint(port),
    all: false,
    ...rest,
  };
  const report = await runTarget(
    {
      command: 'cisco services',
      gather: (_h, ctx) => gatherCiscoServices(o, ctx),
      rules: ciscoServicesRules,
    },
    o.host,
    ciscoServicesRunOptions(o, { timeoutMs, transcript: true }),
  );
  return {
    report,
    facts: report.facts as unknown as CiscoServicesFacts,
    ids: report.findings.map((f) => f.id),
  };
}

/** The findings with this id (throws when there are none, so a test fails with the ids it got). */
export function findings(r: RunCisco, id: string): Report['findings'] {
  const fs = r.report.findings.filter((x) => x.id === id);
  if (fs.length === 0) throw new Error(`no finding ${id}; got ${r.ids.join(', ')}`);
  return fs;
}

/** Ids without the per-service info findings and the certificate verdict, for compact assertions. */
export function verdicts(r: RunCisco): string[] {
  return r.ids.filter((id) => id !== 'cisco.service.status' && id !== 'cert.check.ok');
}
