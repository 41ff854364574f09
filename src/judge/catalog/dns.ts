/**
 * Catalog: findings of area 'dns' (s2s name resolution: RFC 6120 §3.2, RFC 2782 SRV,
 * XEP-0368 direct TLS, RFC 1035 transport). IDs are forever (report contract, "Finding IDs").
 */
import { defineCatalog } from './types.js';

const RFC6120_SRV = 'https://www.rfc-editor.org/rfc/rfc6120#section-3.2';
const RFC2782 = 'https://www.rfc-editor.org/rfc/rfc2782';
const XEP0368 = 'https://xmpp.org/extensions/xep-0368.html';
const RFC1035_TRANSPORT = 'https://www.rfc-editor.org/rfc/rfc1035#section-4.2';
const RFC7766 = 'https://www.rfc-editor.org/rfc/rfc7766';
const CISCO_EXPRESSWAY_XMPP =
  'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/213865-configure-and-troubleshoot-xmpp-federati.html';

export const dnsCatalog = defineCatalog({
  'dns.srv.ok': {
    severity: 'info',
    title: 'DNS for {domain} resolves the way federating servers need',
    symptom: 'Servers looking up {domain} find somewhere to connect.',
    cause:
      'Via {resolver}: {records}. Every target has an address and none is an alias; the resulting connect list is {connect}.',
    fix: 'Nothing to do in DNS. If federation still fails, check the stream and TLS next: xfed probe tls {domain}.',
    refs: [RFC6120_SRV, RFC2782],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      records: ['_xmpp-server._tcp.example.org SRV 5 0 5269 xmpp.example.org'],
      connect: ['xmpp.example.org 192.0.2.10:5269 (STARTTLS)'],
    },
  },
  'dns.domain.nxdomain': {
    severity: 'error',
    title: 'Domain {domain} does not exist in DNS',
    symptom:
      'Servers cannot deliver anything to {domain}: messages bounce with remote-server-not-found, and the peer logs a DNS lookup failure ("host not found", "NXDOMAIN").',
    cause:
      'Resolver {resolver} answered NXDOMAIN for {domain} itself and for {queries}: the name is not registered or its zone is not published.',
    fix: 'Check the spelling of the domain. If it is right, register it or publish its zone at the registrar, then add _xmpp-server._tcp.{domain} SRV records (or at least an A/AAAA record for {domain}).',
    refs: [RFC6120_SRV],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      queries: ['SRV _xmpp-server._tcp.example.org', 'A example.org'],
    },
  },
  'dns.srv.missing': {
    severity: 'warning',
    title: 'No _xmpp-server._tcp SRV record for {domain}; servers fall back to {fallback}',
    symptom:
      'Most servers still connect, to {domain} itself on port 5269. Cisco Expressway does not fall back to A/AAAA for dialback: it looks up _xmpp-server._tcp.{domain} only, so dialback with Cisco peers fails.',
    cause:
      'Resolver {resolver} has no SRV records at _xmpp-server._tcp.{domain} ({outcome}) and none usable at _xmpps-server._tcp.{domain}; RFC 6120 §3.2.2 then allows the A/AAAA fallback to {fallback}.',
    fix: 'Publish an SRV record: _xmpp-server._tcp.{domain}. 3600 IN SRV 5 0 5269 <your XMPP host>. — the host must have its own A/AAAA record and must not be a CNAME.',
    refs: [RFC6120_SRV, RFC2782, CISCO_EXPRESSWAY_XMPP],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      outcome: 'nxdomain',
      fallback: ['example.org:5269 (192.0.2.10)'],
    },
  },
  'dns.srv.fallback-missing': {
    severity: 'error',
    title: '{domain} has neither an _xmpp-server._tcp SRV record nor an address',
    symptom:
      'No server can connect to {domain}: messages bounce with remote-server-not-found and peers log that no address was found for {domain}.',
    cause:
      'Resolver {resolver} has no SRV records at _xmpp-server._tcp.{domain} ({outcome}), and the RFC 6120 §3.2.2 fallback has nothing to use either: {domain} has no {families} record ({fallbackOutcome}).',
    fix: 'Publish _xmpp-server._tcp.{domain}. 3600 IN SRV 5 0 5269 <your XMPP host>. pointing at a host with A/AAAA records (recommended), or at least an A/AAAA record for {domain} itself.',
    refs: [RFC6120_SRV, RFC2782],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      outcome: 'nodata',
      families: 'A/AAAA',
      fallbackOutcome: 'A: nodata, AAAA: nodata',
    },
  },
  'dns.srv.target-dot': {
    severity: 'error',
    title: '{domain} says it offers no server-to-server XMPP service (SRV target ".")',
    symptom:
      'Servers refuse to connect to {domain} at all and do not fall back to A/AAAA; Prosody logs "service explicitly unavailable", messages bounce with remote-server-not-found.',
    cause:
      'The only record at {name} is "{record}": RFC 2782 defines a target of "." as "service decidedly not available at this domain", and RFC 6120 §3.2.1 forbids the fallback.',
    fix: 'If {domain} should federate, replace the record with a real one: {name}. 3600 IN SRV 5 0 5269 <your XMPP host>. If it should not, nothing to do.',
    refs: [RFC2782, RFC6120_SRV],
    exampleEvidence: {
      domain: 'example.org',
      name: '_xmpp-server._tcp.example.org',
      record: '0 0 0 .',
    },
  },
  'dns.srv.xmpps-target-dot': {
    severity: 'info',
    title: '{domain} explicitly offers no direct-TLS server-to-server port',
    symptom:
      'Servers supporting XEP-0368 skip direct TLS for {domain} and use STARTTLS via _xmpp-server._tcp.',
    cause: 'The only record at {name} is "{record}", which XEP-0368 defines as "no direct TLS here".',
    fix: 'Nothing to do unless you want direct TLS: then publish {name}. 3600 IN SRV 5 0 <direct TLS port> <your XMPP host>.',
    refs: [XEP0368],
    exampleEvidence: { domain: 'example.org', name: '_xmpps-server._tcp.example.org', record: '0 0 0 .' },
  },
  'dns.srv.only-direct-tls': {
    severity: 'warning',
    title: '{domain} is reachable only with direct TLS (_xmpps-server), not with STARTTLS',
    symptom:
      'Servers with XEP-0368 connect, others cannot: Cisco Expressway/IM&P and older servers find no _xmpp-server target and fail ({xmppOutcome}).',
    cause:
      'Resolver {resolver} returns targets only for _xmpps-server._tcp.{domain} ({xmppsTargets}); _xmpp-server._tcp.{domain} gives {xmppOutcome}.',
    fix: 'Also publish _xmpp-server._tcp.{domain}. 3600 IN SRV 5 0 5269 <your XMPP host>. and listen for STARTTLS connections on that port.',
    refs: [XEP0368, RFC6120_SRV],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      xmppsTargets: ['xmpp.example.org:5270'],
      xmppOutcome: 'target "."',
    },
  },
  'dns.srv.target-cname': {
    severity: 'warning',
    title: 'SRV target {target} is an alias (CNAME) of {canonical}',
    symptom:
      'Some servers and resolvers refuse the target or treat it as having no address; others follow the alias, so federation fails with some peers only.',
    cause:
      'The {service} record "{record}" points at {target}, which is a CNAME ({chain}). RFC 2782 requires the target to be a host name with its own address records, not an alias.',
    fix: 'Point the SRV record at the canonical name: {service} record target {canonical} (or give {target} its own A/AAAA records instead of the CNAME).',
    refs: [RFC2782],
    exampleEvidence: {
      service: '_xmpp-server._tcp.example.org',
      record: '5 0 5269 xmpp.example.org',
      target: 'xmpp.example.org',
      canonical: 'host1.hosting.example.net',
      chain: ['xmpp.example.org -> host1.hosting.example.net'],
    },
  },
  'dns.srv.target-no-address': {
    severity: 'warning',
    title: 'SRV target {target} has no {families} record',
    symptom:
      'Servers skip this target and try the next one; when it is the only target, federation with {domain} fails.',
    cause:
      'The {service} record "{record}" points at {target}, but resolver {resolver} returns no address for it ({outcomes}).',
    fix: 'Add A and/or AAAA records for {target}, or point the SRV record at a host that has them.',
    refs: [RFC2782, RFC6120_SRV],
    exampleEvidence: {
      domain: 'example.org',
      service: '_xmpp-server._tcp.example.org',
      record: '5 0 5269 xmpp.example.org',
      target: 'xmpp.example.org',
      resolver: '192.0.2.53:53',
      families: 'A/AAAA',
      outcomes: 'A: nxdomain, AAAA: nxdomain',
    },
  },
  'dns.srv.no-usable-target': {
    severity: 'error',
    title: 'None of the SRV targets of {domain} has an address',
    symptom:
      'No server can connect to {domain}: messages bounce with remote-server-not-found. Servers do not fall back to {domain}:5269 when SRV records exist (RFC 6120 §3.2.1).',
    cause: 'Resolver {resolver} lists {targets} as targets, but none of them resolves to an address.',
    fix: 'Give the target hosts A/AAAA records, or point the SRV records at hosts that have them.',
    refs: [RFC6120_SRV, RFC2782],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      targets: ['xmpp.example.org:5269'],
    },
  },
  'dns.srv.port-nonstandard': {
    severity: 'info',
    title: 'SRV record for {domain} uses port {port}, not 5269',
    symptom:
      'Servers that follow SRV records connect to {target}:{port}. Some Cisco Expressway/IM&P setups and firewalls expect server-to-server traffic on 5269 only.',
    cause: 'The record "{record}" at {service} names port {port}; 5269 is the registered xmpp-server port.',
    fix: 'Nothing to do if the server listens on {port} and the firewall allows it. For Cisco peers, prefer 5269 (or publish a second record on 5269).',
    refs: [RFC6120_SRV, CISCO_EXPRESSWAY_XMPP],
    exampleEvidence: {
      domain: 'example.org',
      service: '_xmpp-server._tcp.example.org',
      record: '5 0 5270 xmpp.example.org',
      target: 'xmpp.example.org',
      port: 5270,
    },
  },
  'dns.srv.legacy-jabber': {
    severity: 'info',
    title: '{domain} still publishes legacy _jabber._tcp records',
    symptom: 'No effect on current servers; they ignore _jabber._tcp.',
    cause:
      '{name} holds {records}. That service name predates RFC 6120; servers look up _xmpp-server._tcp only.',
    fix: 'Optional clean-up: remove {name} once no pre-2004 server needs it; make sure _xmpp-server._tcp.{domain} carries the same targets.',
    refs: [RFC6120_SRV],
    exampleEvidence: {
      domain: 'example.org',
      name: '_jabber._tcp.example.org',
      records: ['5 0 5269 xmpp.example.org'],
    },
  },
  'dns.query.servfail': {
    severity: 'error',
    title: 'Resolver {resolver} failed (SERVFAIL) to look up {queries}',
    symptom:
      'Servers using such a resolver cannot find {domain}: lookups fail intermittently or always, and messages bounce with remote-server-not-found.',
    cause:
      'Resolver {resolver} answered SERVFAIL. Usually the authoritative servers for the zone are unreachable or lame, or DNSSEC validation failed (expired signatures, wrong DS record).',
    fix: 'Check the zone of {domain}: are its NS servers answering (dig +norec @<ns> {domain} SOA)? If DNSSEC is used, check signatures and the DS record at the parent (dig +dnssec, or an online DNSSEC analyser).',
    refs: [RFC1035_TRANSPORT],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      queries: ['SRV _xmpp-server._tcp.example.org'],
    },
  },
  'dns.query.refused': {
    severity: 'error',
    title: 'Resolver {resolver} refused to answer {queries}',
    symptom: 'Lookups through {resolver} fail at once; a server configured with it cannot resolve any peer.',
    cause:
      'Resolver {resolver} answered REFUSED: it does not offer recursion to this client, or is authoritative only and {domain} is not its zone.',
    fix: 'Use a resolver that serves this host (see /etc/resolv.conf or --resolver), or allow this client in the resolver\u2019s access list (BIND allow-recursion, Unbound access-control).',
    refs: [RFC1035_TRANSPORT],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      queries: ['SRV _xmpp-server._tcp.example.org'],
    },
  },
  'dns.query.error-rcode': {
    severity: 'error',
    title: 'Resolver {resolver} answered {rcode} to {queries}',
    symptom: 'Lookups of {domain} through {resolver} fail, so servers using it cannot connect.',
    cause:
      'The resolver returned the error code {rcode} instead of an answer (FORMERR: it could not parse the query; NOTIMP: it does not support it).',
    fix: 'Check the resolver software and its configuration at {resolver}, or use another resolver.',
    refs: [RFC1035_TRANSPORT],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      rcode: 'NOTIMP',
      queries: ['SRV _xmpp-server._tcp.example.org'],
    },
  },
  'dns.resolver.timeout': {
    severity: 'error',
    title: 'Resolver {resolver} did not answer',
    symptom:
      'Lookups through {resolver} hang until they time out; a server using it cannot resolve peers, or only slowly.',
    cause: 'No answer came back from {resolver} for {queries}: {error}.',
    fix: 'Check that a DNS server runs at {resolver} and that UDP and TCP port 53 are open on the way (firewall, security group). Try: dig @{host} -p {port} _xmpp-server._tcp.{domain} SRV.',
    refs: [RFC1035_TRANSPORT],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      host: '192.0.2.53',
      port: 53,
      queries: ['SRV _xmpp-server._tcp.example.org'],
      error: 'no answer within 5000 ms (3 transmissions)',
    },
  },
  'dns.srv.too-many-targets': {
    severity: 'warning',
    title: '{name} has {count} records; only the first {resolved} were followed',
    symptom:
      'Sending servers pick among {count} targets for {domain}; most software only ever tries the first few, and very large answers need TCP, which some resolvers and firewalls do not allow.',
    cause:
      'The SRV answer for {name} lists {count} records. xfed looked up the addresses of the first {resolved} in try order (lowest priority number, then highest weight) and left {notResolved} out, as a bound against runaway zones.',
    fix: 'List only the servers that really serve {domain} in {name} (a handful at most); remove generated or stale records.',
    refs: [RFC2782],
    exampleEvidence: {
      domain: 'example.org',
      name: '_xmpp-server._tcp.example.org',
      count: 2000,
      resolved: 16,
      notResolved: 1984,
    },
  },
  'dns.finding.repeated': {
    severity: 'info',
    title: '{count} more {repeatedId} findings for {domain} not shown one by one',
    symptom: 'The same problem affects more targets than the {shown} listed above.',
    cause: 'The finding {repeatedId} also applies to: {others}.',
    fix: 'See the {repeatedId} findings above ("xfed explain {repeatedId}"); the same fix applies to each of these.',
    refs: [RFC2782],
    exampleEvidence: {
      domain: 'example.org',
      repeatedId: 'dns.srv.target-cname',
      count: 2,
      shown: 3,
      others: ['5 0 5269 x4.example.org', '5 0 5269 x5.example.org'],
    },
  },
  'dns.resolver.failover': {
    severity: 'warning',
    title: 'Resolver {resolver} did not answer; the next one, {answeredBy}, did',
    symptom:
      'Every lookup through this resolver list waits for {resolver} before it moves on, so federation is slow to start (a wait per lookup), although {domain} itself resolves.',
    cause:
      'The resolvers are tried in order (resolv.conf failover). {resolver} gave nothing usable for {queries} ({error}); {answeredBy} answered, and the verdict on {domain} is from its answers.',
    fix: 'Repair the DNS server at {resolver}, or remove it from the nameserver lines of /etc/resolv.conf (or the resolver list of the server). Try: dig @{host} -p {port} _xmpp-server._tcp.{domain} SRV.',
    refs: [RFC1035_TRANSPORT, 'https://man7.org/linux/man-pages/man5/resolv.conf.5.html'],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      host: '192.0.2.53',
      port: 53,
      answeredBy: '192.0.2.54:53',
      queries: ['SRV _xmpp-server._tcp.example.org'],
      error: 'no answer within 5000 ms (3 transmissions)',
    },
  },
  'dns.resolver.unreachable': {
    severity: 'error',
    title: 'Resolver {resolver} is unreachable',
    symptom: 'Lookups through {resolver} fail at once.',
    cause:
      'Sending to {resolver} failed for {queries}: {error}. Nothing listens on that address and port, or there is no route to it.',
    fix: 'Check the address in /etc/resolv.conf or --resolver, and that a DNS server listens on {host} port {port} (ss -lunp | grep :{port}).',
    refs: [RFC1035_TRANSPORT],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      host: '192.0.2.53',
      port: 53,
      queries: ['SRV _xmpp-server._tcp.example.org'],
      error: 'ECONNREFUSED: connection refused',
    },
  },
  'dns.answer.truncated': {
    severity: 'error',
    title: 'The answer for {queries} is too large for UDP and TCP failed',
    symptom: 'Resolvers and servers that cannot use TCP get no (or only partial) records for {domain}.',
    cause:
      'Resolver {resolver} set the TC (truncated) bit on the UDP answer, and the retry over TCP failed: {error}.',
    fix: 'Allow DNS over TCP port 53 to and from {resolver} (RFC 7766 makes TCP support mandatory), or shrink the record set.',
    refs: [RFC1035_TRANSPORT, RFC7766],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      queries: ['SRV _xmpp-server._tcp.example.org'],
      error: 'ECONNREFUSED: connection refused (TCP)',
    },
  },
  'dns.answer.needs-tcp': {
    severity: 'info',
    title: 'The answer for {queries} needed TCP',
    symptom: 'Peers whose path blocks DNS over TCP cannot read these records.',
    cause: 'Resolver {resolver} truncated the UDP answer (TC bit); the TCP retry succeeded.',
    fix: 'Nothing to do if TCP port 53 is open everywhere; otherwise reduce the number of records at these names.',
    refs: [RFC7766],
    exampleEvidence: { resolver: '192.0.2.53:53', queries: ['SRV _xmpp-server._tcp.example.org'] },
  },
  'dns.answer.malformed': {
    severity: 'error',
    title: 'Resolver {resolver} sent an answer that cannot be parsed',
    symptom:
      'Lookups of {domain} through {resolver} fail or return garbage; servers using it cannot connect.',
    cause: 'The reply to {queries} was not a valid DNS message for the question: {error}.',
    fix: 'Check what answers at {resolver} (a DNS server, or something else on that port?) and update or replace the resolver or the middlebox rewriting DNS.',
    refs: [RFC1035_TRANSPORT],
    exampleEvidence: {
      domain: 'example.org',
      resolver: '192.0.2.53:53',
      queries: ['SRV _xmpp-server._tcp.example.org'],
      error: 'undecodable answer (40 octets): Cannot decode name (buffer overflow)',
    },
  },
  'dns.resolvers.disagree': {
    severity: 'warning',
    title: 'Resolvers give different answers for {domain} (split DNS)',
    symptom:
      'Federation works from some networks and not from others: servers inside and outside see different targets or addresses for {domain}.',
    cause: 'The resolvers answered differently: {answers}.',
    fix: 'Make the public (external) view of {domain} point at the address Internet peers can reach, and keep internal-only addresses out of it; if the difference is intended, make sure your own server uses the view that includes its peers.',
    refs: [RFC6120_SRV],
    exampleEvidence: {
      domain: 'example.org',
      answers: [
        '192.0.2.53:53 → _xmpp-server: 5 0 5269 xmpp.example.org; xmpp.example.org: 192.0.2.10',
        '10.0.0.53:53 → _xmpp-server: 5 0 5269 xmpp.example.org; xmpp.example.org: 10.0.0.10',
      ],
    },
  },
});
