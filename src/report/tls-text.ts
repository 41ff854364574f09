/**
 * Human summary of TlsProbeFacts for `xfed probe tls` (the `describe` lines of the text
 * report): the connect attempts, each stream header and its features before and after TLS,
 * the TLS version and cipher, and the certificate chain. Formats facts only; verdicts come
 * from the findings.
 */
import type { AttemptFacts, FeatureFacts, StepFailure, StreamFacts, TlsProbeFacts } from '../facts/tls.js';
import type { Report } from './model.js';

function featureList(f: FeatureFacts | null | undefined): string {
  if (f === null) return 'none (pre-1.0 stream)';
  if (!f) return '-';
  const parts: string[] = [];
  if (f.starttls.offered) parts.push(f.starttls.required ? 'starttls (required)' : 'starttls');
  if (f.dialback.offered) parts.push(f.dialback.errors ? 'dialback (errors)' : 'dialback');
  if (f.saslMechanisms) parts.push(`sasl [${f.saslMechanisms.join(' ') || 'empty'}]`);
  if (f.bidi) parts.push('bidi');
  if (f.limits) parts.push('limits');
  const known = new Set(['starttls', 'dialback', 'mechanisms', 'bidi', 'limits']);
  for (const x of f.all) {
    const local = x.replace(/^\{[^}]*\}/, '');
    if (!known.has(local)) parts.push(x);
  }
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function failureText(f: StepFailure): string {
  switch (f.failure) {
    case 'timeout':
      return `nothing within ${f.timeoutMs} ms`;
    case 'closed':
      return `closed by peer (${f.closedBy ?? 'eof'})`;
    case 'stream-error':
      return `stream error ${f.streamError?.condition ?? '?'}${f.streamError?.text ? ` "${f.streamError.text}"` : ''}`;
    case 'parse-error':
      return `${f.parseError?.code ?? 'parse error'}: ${f.parseError?.message ?? ''}`;
    case 'unexpected':
      return `unexpected ${f.element ?? 'element'}`;
  }
}

function streamLines(label: string, s: StreamFacts): string[] {
  const out: string[] = [];
  const sent = `to=${s.sent.to}${s.sent.from ? ` from=${s.sent.from}` : ''}`;
  if (s.header) {
    const h = s.header;
    out.push(
      `${label} (${sent}): header from=${h.from ?? '-'} id=${h.id ?? '-'} version=${h.version ?? '-'}${h.contentNs && h.contentNs !== 'jabber:server' ? ` xmlns=${h.contentNs}` : ''}`,
    );
    if (s.features !== undefined) out.push(`  features: ${featureList(s.features)}`);
  } else {
    out.push(`${label} (${sent}): no header`);
  }
  if (s.failed) out.push(`  ${s.failed.step}: ${failureText(s.failed)}`);
  return out;
}

function attemptLines(a: AttemptFacts, i: number): string[] {
  const ip = a.ip !== a.host ? ` (${a.ip})` : '';
  const out = [`${i + 1}. ${a.endpoint}${ip}, ${a.directTls ? 'direct TLS' : 'STARTTLS'}, from ${a.source}`];
  const add = (l: string) => out.push(`   ${l}`);
  if (!a.connect.ok) {
    add(
      `connect: ${a.connect.reason ?? 'failed'}${a.connect.code ? ` (${a.connect.code})` : ''} after ${a.connect.durationMs} ms`,
    );
    return out;
  }
  add(`connect: ok in ${a.connect.durationMs} ms`);
  if (a.stream) for (const l of streamLines('stream', a.stream)) add(l);
  if (a.starttls) {
    add(`starttls: ${a.starttls.answer}${a.starttls.failed ? ` (${failureText(a.starttls.failed)})` : ''}`);
  }
  if (a.tls) {
    if (a.tls.ok) {
      const alpn = a.tls.alpnOffered ? `, ALPN ${a.tls.alpn ?? 'none selected'}` : '';
      add(`tls: ${a.tls.protocol ?? '?'} ${a.tls.cipher ?? '?'}, SNI ${a.tls.sni}${alpn}`);
    } else {
      add(`tls: failed (${a.tls.alert ?? a.tls.reason ?? 'error'}): ${a.tls.message ?? ''}`);
    }
  }
  if (a.cert) {
    add(`chain as sent (${a.cert.chain.length}):`);
    a.cert.chain.forEach((c, n) => {
      const anchor = c.trustAnchor ? ' [local trust anchor]' : '';
      add(
        `  ${n}. ${c.subject} (issuer ${c.issuer}; ${c.keyType}${c.keyBits ? ` ${c.keyBits}` : ''}; until ${c.notAfter})${anchor}`,
      );
    });
    add(
      `  validation: ${a.cert.trust.authorized ? 'ok' : (a.cert.trust.errorMessage ?? a.cert.trust.errorCode ?? 'failed')}`,
    );
  }
  if (a.secureStream) for (const l of streamLines('stream over TLS', a.secureStream)) add(l);
  if (a.sasl) {
    const s = a.sasl;
    const answer = !s.offered
      ? 'not offered'
      : s.outcome === 'success'
        ? 'success'
        : s.outcome === 'failure'
          ? `failure ${s.condition ?? '?'}${s.text ? ` "${s.text}"` : ''}`
          : s.failed
            ? failureText(s.failed)
            : 'no answer';
    add(`sasl external as ${s.authzid}: ${answer}`);
  }
  if (a.close) add(`close: ${a.close.peerClosed ? 'peer closed its stream' : 'no close from peer'}`);
  return out;
}

/** Lines shown above the findings in the text report of `probe tls`. */
export function describeTls(r: Report): string[] {
  const f = r.facts as unknown as TlsProbeFacts;
  if (!f || !Array.isArray(f.attempts)) return [];
  const out: string[] = [];
  out.push(`XMPP domain ${f.domain}${f.from ? `, announcing from=${f.from}` : ''}`);
  if (f.clientCert)
    out.push(`presenting client certificate ${f.clientCert.subject} (${f.clientCert.file ?? ''})`);
  const res = f.resolution;
  if (res.method === 'srv')
    out.push(`resolved like a sending server (SRV, then A/AAAA fallback): ${res.targets.length} address(es)`);
  else if (res.method === 'host') {
    out.push(
      `host ${res.host}: ${res.addresses?.length ? res.addresses.join(', ') : `no address (${res.error?.reason ?? '?'})`}`,
    );
  }
  if (f.attempts.length === 0) out.push('no connection attempted');
  else out.push('', 'Attempts:');
  f.attempts.forEach((a, i) => {
    out.push(...attemptLines(a, i));
  });
  return out;
}
