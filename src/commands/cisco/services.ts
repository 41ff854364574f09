/**
 * xfed cisco services: reads the state of the IM and Presence services federation depends on
 * (Cisco XCP Router, XMPP Federation Connection Manager, XCP Config Manager, AXL Web Service)
 * from Control Center Services on each node, for the "XCP Router not restarted" symptom.
 */
import * as Flags from '@oclif/core/flags';
import { credentialFlags, credentialHint, readCredentials } from '../../cli/axl-credentials.js';
import { XfedCommand } from '../../cli/base-command.js';
import { loadCaFiles } from '../../cli/ca-files.js';
import { parseChangedAt } from '../../cli/cisco-options.js';
import { DEFAULT_TIMEOUT_MS } from '../../cli/defaults.js';
import { UsageError } from '../../cli/errors.js';
import { hostPortFlag, portFlag } from '../../cli/flags.js';
import type { CiscoServicesFacts } from '../../facts/cisco.js';
import { ciscoServicesRules } from '../../judge/rules/cisco.js';
import { type Pipeline, runTarget } from '../../pipeline/run.js';

const usage = (m: string): never => {
  throw new UsageError(m);
};

/** Nodes asked at the same time (each answers only for itself; a cluster has a handful). */
const MAX_PARALLEL_NODES = 4;

const changedAtFlag = Flags.custom<number>({ parse: async (s) => parseChangedAt(s) });

export default class CiscoServices extends XfedCommand {
  static override summary =
    'Read the IM and Presence federation services (XCP Router and friends) from Control Center Services on each node.';
  static override description =
    'Asks each --host separately (Control Center Services answers only for the node it runs on) for Cisco XCP Router, Cisco XCP XMPP Federation Connection Manager, Cisco XCP Config Manager and Cisco AXL Web Service; with --changed-at, tells whether the XCP Router restarted after the federation change.';
  static override examples = [
    'XFED_AXL_PASSWORD=… <%= config.bin %> cisco services --host imp1.example.com --host imp2.example.com --user xfed-monitor --via expressway',
    'printf %s "$PW" | <%= config.bin %> cisco services --host imp1.example.com --user xfed-monitor --password-stdin --changed-at 2026-11-30T14:05:00Z --ca tomcat-ca.pem',
  ];
  static override flags = {
    host: hostPortFlag({
      multiple: true,
      multipleNonGreedy: true,
      description: 'IM and Presence node host name or IP (repeat for every node of the cluster)',
    }),
    port: portFlag({ description: 'HTTPS port of Control Center Services [default: 8443]' }),
    ...credentialFlags('application user with a serviceability role'),
    ca: Flags.string({
      multiple: true,
      // One value per --ca: a greedy flag would swallow a stray argument (a mistyped password)
      // and echo it in its "cannot read the file" error.
      multipleNonGreedy: true,
      description: 'PEM file with extra CA certificates to trust (repeatable)',
    }),
    insecure: Flags.boolean({ description: 'skip certificate checks (reported as a warning finding)' }),
    via: Flags.option({
      options: ['expressway', 'imp'] as const,
      description:
        'who does XMPP federation: Expressway-E (the IM and Presence Federation Connection Manager must be off) or IM and Presence itself',
    })(),
    'changed-at': changedAtFlag({
      description:
        'when the federation settings last changed (ISO 8601); an XCP Router started before then needs a restart',
    }),
    all: Flags.boolean({ description: 'list every service of the node, not only the federation ones' }),
  };

  // A password typed by mistake (`--password-stdin hunter2`) must not be echoed by oclif.
  static override secretHint = credentialHint('cisco services');

  async run(): Promise<void> {
    const { flags } = await this.parse(CiscoServices);
    const given = flags.host ?? [];
    if (given.length === 0)
      usage('missing --host: an IM and Presence node, e.g. imp1.example.com (repeatable)');
    for (const h of given)
      if (h.port && flags.port && h.port !== flags.port)
        usage(`--host ${h.host}:${h.port} and --port ${flags.port} disagree`);
    const nodes = [...new Map(given.map((h) => [`${h.host}:${h.port ?? flags.port ?? 8443}`, h])).values()];
    const caFiles = flags.ca ?? [];
    const caPems = await loadCaFiles(caFiles);
    const { user, password } = await readCredentials(flags, nodes.map((n) => n.host).join(', '));
    // Lazy: the probe (node:tls, saxes, undici) loads only when this command runs.
    const { gatherCiscoServices, ciscoServicesRunOptions, describeCiscoServices } = await import(
      '../../gather/cisco-services.js'
    );
    const timeoutMs = flags.timeout ?? DEFAULT_TIMEOUT_MS;
    const optionsFor = (n: (typeof nodes)[number]) => ({
      host: n.host,
      port: n.port ?? flags.port ?? 8443,
      user,
      password,
      caPems,
      caFiles,
      insecure: flags.insecure === true,
      all: flags.all === true,
      ...(flags.via ? { via: flags.via } : {}),
      ...(flags['changed-at'] !== undefined ? { changedAtMs: flags['changed-at'] } : {}),
    });
    await this.emitReports({
      targets: nodes,
      concurrency: Math.min(MAX_PARALLEL_NODES, nodes.length),
      flags,
      label: (n) => n.host,
      run: (n) => {
        const o = optionsFor(n);
        const pipeline: Pipeline<CiscoServicesFacts> = {
          command: 'cisco services',
          gather: (_h, ctx) => gatherCiscoServices(o, ctx),
          rules: ciscoServicesRules,
        };
        return runTarget(
          pipeline,
          n.host,
          ciscoServicesRunOptions(o, { timeoutMs, transcript: flags.transcript }),
        );
      },
      describe: describeCiscoServices,
    });
  }
}
