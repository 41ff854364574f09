/**
 * The `probe tls` pipeline, shared by the command and the `serve` exporter (one definition, so
 * they cannot drift apart).
 */
import type { TlsProbeFacts } from '../facts/tls.js';
import { DnsView } from '../gather/srv.js';
import type { TlsProbeOptions, TlsTarget } from '../gather/tls-target.js';
import { tlsProbeRules } from '../judge/rules/tls.js';
import type { Pipeline } from './run.js';

/**
 * `probe tls` for one planned target. Start-up (docs/performance.md): a domain target's SRV
 * queries are sent first, through a DnsView the probe then reads, and the TLS, XML and
 * certificate code (gather/tls.js and what it imports) loads while the answers are in flight.
 */
export function tlsPipeline(t: TlsTarget, opts: TlsProbeOptions): Pipeline<TlsProbeFacts> {
  return {
    command: 'probe tls',
    gather: async (_target, ctx) => {
      let o = opts;
      const started = Date.now();
      let resolvedAt: number | undefined;
      if (t.kind === 'domain' && !opts.dns) {
        const view = new DnsView(opts.resolvers?.length ? { resolvers: opts.resolvers } : {});
        // Handled here so a failed import cannot leave it unhandled; gatherTls awaits it again.
        view.srv(t.domain, ctx).then(
          () => {
            resolvedAt = Date.now();
          },
          () => {},
        );
        o = { ...opts, dns: view };
      }
      const { gatherTls } = await import('../gather/tls.js');
      const facts = await gatherTls(t, o, ctx);
      // The resolution ran while the code loaded: its duration is from the first query on.
      if (resolvedAt !== undefined) facts.resolution.durationMs = resolvedAt - started;
      return facts;
    },
    rules: tlsProbeRules,
  };
}
