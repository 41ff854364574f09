/**
 * Human summary of TlsProbeFacts for `xfed probe tls` (the `describe` lines of the text
 * report): the connect attempts, each stream header and its features before and after TLS,
 * the TLS version and cipher, and the certificate chain. Formats facts only; verdicts come
 * from the findings.
 */

import type { CertCheckFacts, CertificateInfo, SentCertificate } from '../facts/cert.js';
import type { AttemptFacts, FeatureFacts, StepFailure, StreamFacts, TlsProbeFacts } from '../facts/tls.js';
import type { Finding, Report } from './model.js';
import { safeText } from './untrusted.js';

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

function certSummary(c: CertificateInfo | SentCertificate): string {
  const key = `${c.keyType}${c.keyBits ? ` ${c.keyBits}` : ''}`;
  return `${safeText(c.subject || '(empty subject)')} (issuer ${safeText(c.issuer)}; ${key}; until ${c.notAfter})`;
}

/**
 * The certificate block of one attempt: the chain exactly as the peer sent it (wire order, every
 * certificate, its count), the verified path node:tls built from it (reordered, extras dropped,
 * local anchors added), and a validation line that agrees with the certificate findings for
 * this endpoint (a path that builds is not "ok" when a finding says the certificate fails).
 */
export function certLines(cert: CertCheckFacts, findings: readonly Finding[]): string[] {
  const out: string[] = [];
  const sent = cert.sent;
  if (sent?.captured) {
    out.push(`chain as sent (${sent.certificates.length}, ${sent.tlsVersion} Certificate message):`);
    for (const c of sent.certificates) out.push(`  ${c.position}. ${certSummary(c)}`);
  } else if (sent) {
    out.push(`chain as sent: not read (${sent.reason}: ${safeText(sent.detail)})`);
  }
  out.push(`verified path (${cert.chain.length}):`);
  cert.chain.forEach((c, n) => {
    const anchor = c.trustAnchor ? ' [local trust anchor]' : '';
    out.push(`  ${n}. ${certSummary(c)}${anchor}`);
  });
  const mine = findings.filter((f) => f.id.startsWith('cert.') && f.evidence.endpoint === cert.endpoint);
  const errors = mine.filter((f) => f.severity === 'error').map((f) => f.id);
  const warnings = mine.filter((f) => f.severity === 'warning').map((f) => f.id);
  const opensslSays = cert.trust.authorized
    ? 'the path builds to a trusted root'
    : `OpenSSL: ${safeText(cert.trust.errorMessage ?? cert.trust.errorCode ?? 'failed')}`;
  if (errors.length > 0) out.push(`validation: failed: ${errors.join(', ')} (${opensslSays})`);
  else if (!cert.trust.authorized) out.push(`validation: failed (${opensslSays})`);
  else if (warnings.length > 0) out.push(`validation: ok, with warnings: ${warnings.join(', ')}`);
  else out.push('validation: ok');
  return out;
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

function attemptLines(a: AttemptFacts, i: number, findings: readonly Finding[]): string[] {
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
  if (a.cert) for (const l of certLines(a.cert, findings)) add(l);
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

/** One address in a few words: where, and how far the connection got. */
function targetSummary(a: AttemptFacts): string {
  const ip = a.ip !== a.host ? ` [${a.ip}]` : '';
  const prio = a.priority !== undefined ? ` (priority ${a.priority})` : '';
  let state: string;
  if (!a.connect.ok) state = `connect ${a.connect.reason ?? 'failed'}`;
  else if (a.tlsEstablished) {
    const s = a.secureStream;
    state = `TLS ${a.tls?.protocol ?? ''}`.trim();
    if (a.cert && !a.cert.trust.authorized) state += ', certificate not validated';
    if (s?.failed) state += `, then ${failureText(s.failed)}`;
  } else {
    const failed = a.tls && !a.tls.ok ? `TLS failed (${a.tls.alert ?? a.tls.reason ?? 'error'})` : undefined;
    const step = a.starttls?.failed ?? a.stream?.failed;
    state = failed ?? (step ? failureText(step) : 'no TLS');
  }
  return `${a.endpoint}${ip}${prio}: ${state}`;
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
  else {
    const total = f.attempts.length + (f.notProbed ?? 0);
    const how = f.allTargets ? 'every target, in parallel' : 'in order until one was usable (--first)';
    out.push(`probed ${f.attempts.length} of ${total} addresses (${how}):`);
    for (const a of f.attempts) out.push(`  ${targetSummary(a)}`);
    if (f.notProbed) out.push(`  ${f.notProbed} more not probed (limit)`);
    out.push('', 'Attempts:');
  }
  f.attempts.forEach((a, i) => {
    out.push(...attemptLines(a, i, r.findings));
  });
  return out;
}
