/** `xfed check srv`: resolve domains like a federating server would and judge the DNS (issue 3, §3). */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { XfedCommand } from '../../cli/base-command.js';
import { collectDomains } from '../../cli/domain-list.js';
import { concurrencyFlag, resolverFlag } from '../../cli/flags.js';
import { newResolverMemory, type SrvOptions } from '../../gather/srv.js';
import { runTarget } from '../../pipeline/run.js';
import { srvPipeline } from '../../pipeline/srv-pipeline.js';
import { describeSrv } from '../../report/srv-text.js';

export default class CheckSrv extends XfedCommand {
  static override summary =
    'Check the DNS records other servers use to reach a domain (SRV, targets, addresses).';
  static override description =
    "Asks _xmpp-server._tcp, _xmpps-server._tcp and _jabber._tcp SRV, every target's A/AAAA and the domain's own A/AAAA. Each query has one --timeout (default 5s) for its UDP transmissions, and another if it is repeated over TCP.";
  static override examples = [
    '<%= config.bin %> check srv example.org',
    '<%= config.bin %> check srv bücher.example --resolver 192.0.2.53 --resolver 10.0.0.53',
    '<%= config.bin %> check srv --file domains.txt --json --concurrency 64',
    '<%= config.bin %> check srv example.org --tcp -4 --timeout 2s',
  ];
  static override strict = false;
  static override args = {
    domain: Args.string({
      ignoreStdin: true,
      description: 'domain(s) to check; IDNs are converted to A-labels',
    }),
  };
  static override flags = {
    resolver: resolverFlag({
      multiple: true,
      helpValue: '<ip[:port]>',
      description: 'resolver ip[:port] to ask (repeatable: answers are compared); default: /etc/resolv.conf',
    }),
    tcp: Flags.boolean({ description: 'query over TCP only (default: UDP, TCP when truncated)' }),
    ipv4: Flags.boolean({ char: '4' as 'a', description: 'look up A records only', exclusive: ['ipv6'] }),
    ipv6: Flags.boolean({ char: '6' as 'a', description: 'look up AAAA records only', exclusive: ['ipv4'] }),
    file: Flags.string({
      helpValue: '<path>',
      description: 'read domains from a file, one a line (# comments allowed); - reads them from stdin',
    }),
    concurrency: concurrencyFlag({
      default: 32,
      helpValue: '<n>',
      description: 'domains resolved at the same time',
    }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(CheckSrv);
    const timeoutMs = flags.timeout ?? 5000;
    const domains = await collectDomains(argv as string[], flags.file, timeoutMs);
    const opts: SrvOptions = {
      tcp: flags.tcp === true,
      family: flags.ipv4 ? 4 : flags.ipv6 ? 6 : undefined,
      memory: newResolverMemory(),
    };
    if (flags.resolver) opts.resolvers = flags.resolver;
    const pipeline = srvPipeline(opts);
    const options = {
      resolvers: flags.resolver ?? 'resolv.conf',
      tcp: flags.tcp,
      family: opts.family ?? 'any',
      timeoutMs,
    };
    await this.emitReports({
      targets: domains,
      concurrency: flags.concurrency,
      flags,
      label: (d) => d.input,
      run: (d) => runTarget(pipeline, d.ascii, { timeoutMs, transcript: flags.transcript, options }),
      describe: describeSrv,
    });
  }
}
