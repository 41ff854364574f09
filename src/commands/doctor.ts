/** `xfed doctor <peer> --as <our>`: does this pair federate, in each direction, and who must fix what (issue 9). */
import * as Flags from '@oclif/core/flags';
import { XfedCommand } from '../cli/base-command.js';
import { prepareDoctor } from '../cli/doctor-options.js';
import { domainArg, domainFlag, durationFlag, hostPortFlag, resolverFlag } from '../cli/flags.js';
import { doctorPipeline } from '../pipeline/doctor-pipeline.js';
import { runTarget } from '../pipeline/run.js';
import { renderDoctorText } from '../report/doctor-text.js';

export default class Doctor extends XfedCommand {
  static override summary =
    'Does <peer> federate with your domain? One verdict per direction, every layer, one run. Start here.';
  static override description =
    `Checks DNS of both domains once, every SRV target of both (TCP, stream, STARTTLS or direct TLS, certificate), authentication both ways (with --cert/--key: your certificate and SASL EXTERNAL; dialback verify both ways) and, with --listen, the full dialback handshake. The first broken layer of a direction decides its verdict; layers that depend on it are reported as not checked. Without --as only the peer's side is checked.`;
  static override examples = [
    '<%= config.bin %> doctor example.org --as chat.example.net',
    '<%= config.bin %> doctor example.org --as chat.example.net --cert chat.pem --key chat.key --ca private-root.pem',
    '<%= config.bin %> doctor example.org --as chat.example.net --listen 192.0.2.7:5269 --cert chat.pem --key chat.key --json',
    '<%= config.bin %> doctor example.org',
  ];
  static override args = {
    peer: domainArg({ required: true, description: 'the peer domain' }),
  };
  static override flags = {
    as: domainFlag({ description: 'your domain; without it only the peer side is checked' }),
    cert: Flags.string({
      description: 'certificate chain (PEM) of your domain: presented to the peer, then SASL EXTERNAL',
    }),
    key: Flags.string({ description: 'private key (PEM) matching --cert' }),
    ca: Flags.string({
      multiple: true,
      description: 'extra trust anchor file (PEM or DER), added to the system store; repeatable',
    }),
    listen: hostPortFlag({
      description: 'ip:port for the peer\u2019s dialback callback: also run the full handshake (needs --as)',
    }),
    resolver: resolverFlag({ multiple: true, description: 'resolver ip[:port] (default: /etc/resolv.conf)' }),
    'warn-days': Flags.integer({
      default: 30,
      min: 0,
      max: 3650,
      description: 'warn when a certificate expires within this many days',
    }),
    'callback-timeout': durationFlag({
      description: 'with --listen: wait for the peer\u2019s answer, callback included (default 30s)',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Doctor);
    const p = await prepareDoctor(args.peer, flags);
    const pipeline = doctorPipeline(p.opts);
    await this.emitReports({
      targets: [args.peer.ascii],
      concurrency: 1,
      flags,
      label: (t) => (p.opts.our ? `${p.opts.our} ⇄ ${t}` : t),
      run: (t) =>
        runTarget(pipeline, t, {
          timeoutMs: p.timeoutMs,
          transcript: flags.transcript,
          options: p.options,
          secrets: p.secrets,
        }),
      render: renderDoctorText,
    });
  }
}
