/** `xfed dialback verify <peer> --as <our>`: the safe probe, a db:verify with a random key (issue 6). */
import * as Flags from '@oclif/core/flags';
import { XfedCommand } from '../../cli/base-command.js';
import { prepareDialbackVerify } from '../../cli/dialback-options.js';
import { XFED_CA_HELP } from '../../cli/file-input.js';
import { domainArg, domainFlag, resolverFlag } from '../../cli/flags.js';
import type { DialbackVerifyFacts } from '../../facts/dialback.js';
import { describeDialback, gatherDialbackVerify } from '../../gather/dialback.js';
import { dialbackVerifyRules } from '../../judge/rules/dialback.js';
import type { Pipeline } from '../../pipeline/run.js';

export default class DialbackVerify extends XfedCommand {
  static override summary =
    'Check that a peer\u2019s authoritative server answers db:verify (expects "invalid" for a random key).';
  static override examples = [
    '<%= config.bin %> dialback verify example.org --as chat.example.net',
    '<%= config.bin %> dialback verify example.org --as chat.example.net --ca private-root.pem --json',
  ];
  static override args = {
    peer: domainArg({ required: true, description: 'the peer domain whose authoritative server is asked' }),
  };
  static override flags = {
    as: domainFlag({ required: true, description: 'our domain (the from of the stream and of db:verify)' }),
    cert: Flags.string({ description: 'client certificate chain (PEM) to present, as our server would' }),
    key: Flags.string({ description: 'private key (PEM) matching --cert' }),
    ca: Flags.string({
      multiple: true,
      description: `extra trust anchor for the peer\u2019s certificate (PEM or DER); repeatable; ${XFED_CA_HELP}`,
    }),
    resolver: resolverFlag({ multiple: true, description: 'resolver ip[:port] (default: /etc/resolv.conf)' }),
    first: Flags.boolean({
      description:
        'ask only the first target that connects, in try order (default: every SRV target and address, in parallel)',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DialbackVerify);
    const p = await prepareDialbackVerify(args.peer, flags);
    if (flags.first) {
      p.opts.first = true;
      p.options.first = true;
    }
    const pipeline: Pipeline<DialbackVerifyFacts> = {
      command: 'dialback verify',
      gather: (peer, ctx) => gatherDialbackVerify(peer, p.opts, ctx),
      rules: dialbackVerifyRules,
    };
    const runOpts = { timeoutMs: p.timeoutMs, transcript: flags.transcript, options: p.options };
    await this.emitReport(flags, args.peer.ascii, pipeline, runOpts, describeDialback);
  }
}
