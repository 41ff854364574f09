/** `xfed dialback <peer> --as <our>`: a whole server dialback handshake, both roles, every step timed (issue 6). */
import * as Flags from '@oclif/core/flags';
import { XfedCommand } from '../../cli/base-command.js';
import { prepareDialback } from '../../cli/dialback-options.js';
import { XFED_CA_HELP } from '../../cli/file-input.js';
import { domainArg, domainFlag, durationFlag, hostPortFlag, resolverFlag } from '../../cli/flags.js';
import type { DialbackFacts } from '../../facts/dialback.js';
import { describeDialback, gatherDialback } from '../../gather/dialback.js';
import { dialbackRules } from '../../judge/rules/dialback.js';
import type { Pipeline } from '../../pipeline/run.js';

export default class Dialback extends XfedCommand {
  static override summary = 'Run a full dialback handshake with a peer, playing both servers of our domain.';
  static override description =
    'xfed plays both servers of our domain: it connects to the peer (originating server) and listens for the peer\u2019s callback (authoritative server). Peers with default settings (Prosody, ejabberd, jabberd2, Cisco Expressway in "TLS required" mode) insist on STARTTLS on the callback, so give --cert and --key for our domain; without them xfed stops as soon as the peer asks for STARTTLS.';
  static override examples = [
    '<%= config.bin %> dialback example.org --as chat.example.net --cert chat.crt --key chat.key',
    '<%= config.bin %> dialback example.org --as chat.example.net --listen 192.0.2.7:5269 --cert chat.crt --key chat.key --json',
  ];
  static override args = {
    peer: domainArg({ required: true, description: 'the peer domain to federate with' }),
  };
  static override flags = {
    as: domainFlag({
      required: true,
      description: 'our domain (its DNS must point at --listen, as seen by the peer)',
    }),
    listen: hostPortFlag({ description: 'ip:port for the peer\u2019s callback (default 0.0.0.0:5269)' }),
    cert: Flags.string({
      description:
        'certificate chain (PEM) of our domain, for STARTTLS on the listener; default-configured peers need --cert/--key',
    }),
    key: Flags.string({ description: 'private key (PEM) matching --cert' }),
    ca: Flags.string({
      multiple: true,
      description: `extra trust anchor for the peer\u2019s certificate (PEM or DER); repeatable; ${XFED_CA_HELP}`,
    }),
    resolver: resolverFlag({ multiple: true, description: 'resolver ip[:port] (default: /etc/resolv.conf)' }),
    'request-client-cert': Flags.boolean({
      description:
        'ask the peer\u2019s callback for a TLS client certificate (recorded only); off by default because some peers (jabberd2 2.7) then drop the callback and reconnect in a loop',
      default: false,
    }),
    'callback-timeout': durationFlag({
      description: 'wait for the peer\u2019s answer, callback included (default 30s, or 3x --timeout)',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Dialback);
    const p = await prepareDialback(args.peer, flags);
    const pipeline: Pipeline<DialbackFacts> = {
      command: 'dialback',
      gather: (peer, ctx) => gatherDialback(peer, p.opts, ctx),
      rules: dialbackRules,
    };
    const runOpts = {
      timeoutMs: p.timeoutMs,
      transcript: flags.transcript,
      options: p.options,
      secrets: p.secrets,
    };
    await this.emitReport(flags, args.peer.ascii, pipeline, runOpts, describeDialback);
  }
}
