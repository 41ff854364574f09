/** `xfed probe tls`: can a federating server reach a domain, negotiate TLS and trust its certificate? (issue 4) */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { XfedCommand } from '../../cli/base-command.js';
import { XFED_CA_HELP } from '../../cli/file-input.js';
import { concurrencyFlag, domainFlag, hostPortFlag, portFlag, resolverFlag } from '../../cli/flags.js';
import { prepareTlsProbe } from '../../cli/tls-options.js';
import { runTarget } from '../../pipeline/run.js';
import { tlsPipeline } from '../../pipeline/tls-pipeline.js';
import { describeTls } from '../../report/tls-text.js';

export default class ProbeTls extends XfedCommand {
  static override summary =
    'Connect like a federating server: stream, STARTTLS or direct TLS, certificate, auth offers.';
  static override examples = [
    '<%= config.bin %> probe tls example.org',
    '<%= config.bin %> probe tls xmpp.example.org:5269 --domain example.org --from chat.example.net',
    '<%= config.bin %> probe tls example.org --connect 192.0.2.10:5269 --ca private-root.pem',
    '<%= config.bin %> probe tls --file domains.txt --json --concurrency 32',
    '<%= config.bin %> probe tls example.org --from chat.example.net --cert chat.pem --key chat.key',
  ];
  static override strict = false;
  static override args = {
    target: Args.string({
      ignoreStdin: true,
      description: 'XMPP domain (resolved via SRV), or host, IP, host:port',
    }),
  };
  static override flags = {
    domain: domainFlag({
      description: 'XMPP domain for host targets (stream to, SNI, certificate); default: the host',
    }),
    connect: hostPortFlag({
      description: 'connect to host:port instead of resolving the domain (skips DNS)',
    }),
    port: portFlag({
      description: 'port for host targets without :port (default 5269; 5270 with --direct-tls)',
    }),
    from: domainFlag({ description: 'domain our stream header announces as from (default: none)' }),
    ca: Flags.string({
      multiple: true,
      description: `extra trust anchor file (PEM or DER), added to the system store; repeatable; ${XFED_CA_HELP}`,
    }),
    cert: Flags.string({
      description:
        'our certificate (PEM, chain) to present as a sending server; then SASL EXTERNAL is tried (needs --from, --key)',
    }),
    key: Flags.string({ description: 'private key (PEM) of --cert' }),
    'direct-tls': Flags.boolean({
      description: 'TLS from the first byte with ALPN xmpp-server (XEP-0368), no STARTTLS',
    }),
    'warn-days': Flags.integer({
      default: 30,
      min: 0,
      max: 3650,
      description: 'warn when a certificate expires within this many days',
    }),
    'all-targets': Flags.boolean({
      description: 'probe every SRV target and address, in parallel (the default; kept for scripts)',
      exclusive: ['first'],
    }),
    first: Flags.boolean({
      description:
        'try targets in order and stop at the first usable one, as one sending server would (default: every target)',
      exclusive: ['all-targets'],
    }),
    resolver: resolverFlag({
      multiple: true,
      description: 'resolver ip[:port] for SRV and host lookups (default: /etc/resolv.conf)',
    }),
    file: Flags.string({
      description: 'read targets from a file, one a line (# comments allowed); - reads them from stdin',
    }),
    concurrency: concurrencyFlag({ default: 16, description: 'targets probed at the same time' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ProbeTls);
    const { targets, opts, options, timeoutMs } = await prepareTlsProbe(argv as string[], flags);
    await this.emitReports({
      targets,
      concurrency: flags.concurrency,
      flags,
      label: (t) => t.input,
      run: (t) =>
        runTarget(tlsPipeline(t, opts), t.report, { timeoutMs, transcript: flags.transcript, options }),
      describe: describeTls,
    });
  }
}
