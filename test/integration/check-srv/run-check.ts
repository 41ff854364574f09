/** Test helper: runs the check srv pipeline (gather -> judge -> report) in-process against fake resolvers. */
import type { SrvFacts } from '../../../src/facts/srv.js';
import { gatherSrv, type SrvOptions } from '../../../src/gather/srv.js';
import { dnsRules } from '../../../src/judge/rules/dns.js';
import { runTarget } from '../../../src/pipeline/run.js';
import type { Report } from '../../../src/report/model.js';

export async function runCheck(
  domain: string,
  opts: SrvOptions,
  timeoutMs = 1000,
): Promise<{ report: Report; facts: SrvFacts; ids: string[] }> {
  const report = await runTarget(
    { command: 'check srv', gather: (d, ctx) => gatherSrv(d, opts, ctx), rules: dnsRules },
    domain,
    { timeoutMs, transcript: true, options: {} },
  );
  const facts = report.facts as unknown as SrvFacts;
  return { report, facts, ids: report.findings.map((f) => f.id) };
}

export const srv = (priority: number, weight: number, port: number, target: string) =>
  ({ type: 'SRV', data: { priority, weight, port, target } }) as const;
export const a = (ip: string) => ({ type: 'A', data: ip }) as const;
export const aaaa = (ip: string) => ({ type: 'AAAA', data: ip }) as const;
export const cname = (target: string) => ({ type: 'CNAME', data: target }) as const;
