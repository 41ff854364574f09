/** `xfed dialback key`: offline forensics for logged dialback keys, XEP-0185 and the jabberd SHA-1 chain (issue 6). */
import * as Flags from '@oclif/core/flags';
import { XfedCommand } from '../../cli/base-command.js';
import { prepareDialbackKey } from '../../cli/dialback-options.js';
import { domainFlag } from '../../cli/flags.js';
import type { DialbackKeyFacts } from '../../facts/dialback.js';
import { computeDialbackKey, describeDialbackKey } from '../../gather/dialback.js';
import { dialbackKeyRules } from '../../judge/rules/dialback.js';
import type { Pipeline } from '../../pipeline/run.js';

export default class DialbackKey extends XfedCommand {
  static override summary =
    'Recompute a dialback key from a log line and tell which algorithm (if any) made it.';
  static override examples = [
    'XFED_DIALBACK_SECRET=... <%= config.bin %> dialback key --receiving vngtp.lab --originating coluc.com --stream-id 05E295A2B --key d780f198ac34a6dbd795fcdaf8762eaf52ea9b03',
    'cat secret.txt | <%= config.bin %> dialback key --receiving example.org --originating chat.example.net --stream-id 417GAF25 --secret-stdin',
  ];
  // A secret typed on the command line by mistake (`--secret=…`) must not be echoed by oclif.
  static override secretHint =
    'dialback key takes no secret on the command line; set XFED_DIALBACK_SECRET or use --secret-stdin';
  static override flags = {
    receiving: domainFlag({
      required: true,
      description: 'receiving domain: the to of db:result (the from of db:verify)',
    }),
    originating: domainFlag({
      required: true,
      description: 'originating domain: the from of db:result (the to of db:verify)',
    }),
    'stream-id': Flags.string({
      required: true,
      description: 'id of the receiving server\u2019s stream header (db:verify id)',
    }),
    key: Flags.string({ description: 'the key seen in the log, any length' }),
    'secret-stdin': Flags.boolean({
      description: 'read the dialback secret from stdin (else XFED_DIALBACK_SECRET)',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DialbackKey);
    const p = await prepareDialbackKey(flags);
    const pipeline: Pipeline<DialbackKeyFacts> = {
      command: 'dialback key',
      gather: async () => computeDialbackKey(p.opts),
      rules: dialbackKeyRules,
    };
    const runOpts = { timeoutMs: 0, transcript: flags.transcript, options: p.options, secrets: p.secrets };
    await this.emitReport(flags, p.opts.receiving, pipeline, runOpts, describeDialbackKey);
  }
}
