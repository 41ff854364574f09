/**
 * Catalog: findings of areas 'tcp' and 'tls' (reaching the port, RFC 6120 §5 STARTTLS,
 * XEP-0368 direct TLS, RFC 8446 handshake alerts, RFC 7590 / RFC 8996 protocol versions).
 * IDs are forever (report contract, "Finding IDs").
 */
import { defineCatalog } from './types.js';

const RFC6120_RESOLUTION = 'https://www.rfc-editor.org/rfc/rfc6120#section-3.2';
const RFC6120_STARTTLS = 'https://www.rfc-editor.org/rfc/rfc6120#section-5';
const RFC7590 = 'https://www.rfc-editor.org/rfc/rfc7590';
const RFC8996 = 'https://www.rfc-editor.org/rfc/rfc8996';
const RFC8446_ALERTS = 'https://www.rfc-editor.org/rfc/rfc8446#section-6';
const XEP0368 = 'https://xmpp.org/extensions/xep-0368.html';

export const tlsCatalog = defineCatalog({
  // --- TCP ---
  'tcp.connect.refused': {
    severity: 'error',
    title: 'Nothing listens on {endpoint} (connection refused)',
    symptom:
      'Servers cannot connect to {endpoint}; messages to {domain} bounce with remote-server-not-found ("Connection refused" in their logs).',
    cause:
      '{endpoint} ({ip}) actively refused the TCP connection: no process listens on port {port} there, or a firewall rejects it.',
    fix: 'Start the XMPP server, or make it listen for server-to-server connections on {ip} port {port} (Prosody s2s_ports / s2s_interfaces; ejabberd ejabberd_s2s_in listener; Cisco Expressway-E: XMPP federation enabled and port 5269 open); open the port in the firewall; or correct the port in _xmpp-server._tcp.{domain}.',
    refs: [RFC6120_RESOLUTION],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      ip: '192.0.2.10',
      port: 5269,
      domain: 'example.org',
    },
  },
  'tcp.connect.timeout': {
    severity: 'error',
    title: 'No answer from {endpoint} (TCP connect timed out)',
    symptom:
      'Servers trying {endpoint} hang until their connect timeout, then bounce messages to {domain} with remote-server-timeout.',
    cause:
      'The TCP connection to {endpoint} ({ip}) did not complete within {timeoutMs} ms: packets are dropped on the way (a firewall that drops instead of rejecting, a wrong address, or the host is down).',
    fix: 'Open TCP port {port} to {ip} from the Internet (and from your partners\u2019 networks); check that the address in DNS is the server\u2019s public address, not an internal or old one.',
    refs: [RFC6120_RESOLUTION],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      ip: '192.0.2.10',
      port: 5269,
      domain: 'example.org',
      timeoutMs: 10000,
    },
  },
  'tcp.connect.unreachable': {
    severity: 'error',
    title: '{endpoint} is unreachable ({code})',
    symptom: 'Servers cannot reach {endpoint} at all; messages to {domain} bounce.',
    cause:
      'Connecting to {endpoint} ({ip}) failed with {code}: there is no route to that address from here (no IPv6 connectivity, a wrong address, or a router rejecting it).',
    fix: 'Check the address {ip} in DNS and routing to it; if it is an IPv6 address and IPv6 is not really served, remove the AAAA record.',
    refs: [RFC6120_RESOLUTION],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      ip: '2001:db8::10',
      code: 'ENETUNREACH',
      domain: 'example.org',
    },
  },
  'tcp.connect.failed': {
    severity: 'error',
    title: 'Could not connect to {endpoint} ({code})',
    symptom: 'Servers cannot connect to {endpoint}; messages to {domain} bounce.',
    cause: 'The TCP connection to {endpoint} ({ip}) failed: {message}.',
    fix: 'Check that the server is running and reachable on {endpoint}, then probe again.',
    refs: [RFC6120_RESOLUTION],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      ip: '192.0.2.10',
      code: 'ECONNRESET',
      message: 'read ECONNRESET',
      domain: 'example.org',
    },
  },

  // --- STARTTLS (RFC 6120 §5) ---
  'tls.starttls.not-offered': {
    severity: 'error',
    title: '{endpoint} does not offer STARTTLS',
    symptom:
      'Servers that require encryption (Prosody and ejabberd defaults, Cisco Expressway "TLS required") refuse to federate with {domain}: "Encrypted server-to-server communication is required but was not offered".',
    cause:
      'The stream features of {endpoint} for {domain} contain no <starttls/> (features offered: {features}). Usually the server has no certificate for {domain}, so it cannot offer TLS.',
    fix: 'Install a certificate and key for {domain} on the server (Prosody: ssl = { certificate = ..., key = ... } or the certs/ directory, then prosodyctl check certs; ejabberd: certfiles; Cisco Expressway-E: server certificate with {domain} in the SAN) and reload it.',
    refs: [RFC6120_STARTTLS, RFC7590],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      domain: 'example.org',
      features: ['{urn:xmpp:features:dialback}dialback'],
    },
  },
  'tls.starttls.optional': {
    severity: 'warning',
    title: '{endpoint} does not advertise STARTTLS as required',
    symptom:
      'Servers that do not insist on TLS may start unencrypted streams to {domain}, and an attacker on the path can strip the STARTTLS offer, unless {domain} enforces TLS without saying so (jabberd2 and Cisco XCP never advertise <required/>).',
    cause:
      'The stream features of {endpoint} offer <starttls/> without <required/>. That is what was observed; the features alone do not show whether unencrypted streams are accepted. xfed dialback verify {domain} --as <your domain> checks it with a dialback request on a stream that skips STARTTLS.',
    fix: 'To federate only encrypted: Prosody s2s_require_encryption = true; ejabberd s2s_use_starttls: required; jabberd2 / Cisco XCP <require_tls>1</require_tls> in s2s.xml (the empty element means off, and the features will still lack <required/>); Cisco Expressway-E XMPP federation Security mode "TLS required".',
    refs: [RFC6120_STARTTLS, RFC7590],
    exampleEvidence: { endpoint: 'xmpp.example.org:5269', domain: 'example.org' },
  },
  'tls.starttls.plaintext-accepted': {
    severity: 'warning',
    title:
      '{endpoint} processes dialback on a stream that skipped STARTTLS (unencrypted federation accepted)',
    symptom:
      'Servers, or an attacker who strips the STARTTLS offer, can federate with {domain} without TLS: messages and presence then cross the network in clear text.',
    cause:
      'STARTTLS was offered without <required/>, so xfed checked: on a second stream to {endpoint} it skipped STARTTLS and sent a db:verify with a random key; {endpoint} answered {answer} after {waitedMs} ms, i.e. it handles dialback on unencrypted streams.',
    fix: 'Require TLS for server-to-server streams: Prosody s2s_require_encryption = true; ejabberd s2s_use_starttls: required; jabberd2 / Cisco XCP <require_tls>1</require_tls> in s2s.xml (a number: the empty element means off); Cisco Expressway-E XMPP federation Security mode "TLS required". Then rerun xfed dialback verify {domain}.',
    refs: [RFC6120_STARTTLS, RFC7590],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      domain: 'example.org',
      answer: 'invalid',
      waitedMs: 3,
    },
  },
  'tls.starttls.enforced-unadvertised': {
    severity: 'info',
    title: '{endpoint} enforces TLS although it does not advertise STARTTLS as required',
    symptom:
      'Nobody can federate with {domain} unencrypted. A peer that skips an optional STARTTLS gets no dialback answer, not an error that names TLS, and may blame something else.',
    cause:
      'STARTTLS was offered without <required/>, so xfed checked: on a second stream to {endpoint} it skipped STARTTLS and sent a db:verify with a random key; {endpoint} {how} it ({detail}). jabberd2 (and Cisco XCP) with require_tls on behave so: their features are the same with and without it.',
    fix: 'Nothing to fix for security. Peers must start TLS whenever {endpoint} offers it (Prosody and ejabberd do). Where the software can advertise the policy, do (Prosody s2s_require_encryption = true, ejabberd s2s_use_starttls: required); jabberd2 2.7 and Cisco XCP cannot.',
    refs: [RFC6120_STARTTLS, RFC7590],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      domain: 'example.org',
      how: 'ignored',
      detail: 'no answer within 3000 ms',
    },
  },
  'tls.starttls.required': {
    severity: 'info',
    title: '{endpoint} requires STARTTLS and negotiated {protocol}',
    symptom: 'Servers connecting to {domain} through {endpoint} always encrypt the stream.',
    cause:
      '{endpoint} offers <starttls><required/></starttls>; the handshake with SNI {domain} completed with {protocol} and {cipher}.',
    fix: 'Nothing to do.',
    refs: [RFC6120_STARTTLS, RFC7590],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      domain: 'example.org',
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
    },
  },
  'tls.starttls.failure': {
    severity: 'error',
    title: '{endpoint} answered STARTTLS with <failure/>',
    symptom:
      'Servers that require encryption cannot federate with {domain}; the peer logs "TLS negotiation with {domain} failed".',
    cause:
      '{endpoint} offered STARTTLS but answered our <starttls/> with <failure/> and closed the stream: it advertised TLS without a working TLS configuration (e.g. no certificate or an unreadable key for {domain}).',
    fix: 'Check the server\u2019s TLS configuration for {domain} and its log at the time of the probe ("TLS is not available", key file permissions); Prosody: prosodyctl check certs.',
    refs: [RFC6120_STARTTLS],
    exampleEvidence: { endpoint: 'xmpp.example.org:5269', domain: 'example.org' },
  },

  // --- the TLS handshake ---
  'tls.handshake.failed': {
    severity: 'error',
    title: 'TLS handshake with {endpoint} failed ({alert})',
    symptom:
      'Servers connecting to {domain} fail right after STARTTLS (or the direct-TLS connect) with a TLS error such as "{alert}", and bounce messages.',
    cause:
      'The TLS handshake with {endpoint} (SNI {sni}) failed: {message}. Alert: {alert}. Typical alerts: "handshake failure" (no cipher or signature algorithm in common, or no certificate for this SNI), "protocol version" (the server allows only old TLS versions), "internal error" (a broken key or certificate on the server), "unrecognized name" (no certificate configured for {sni}).',
    fix: 'Check the server\u2019s TLS settings for {sni}: a certificate and key for that name, TLS 1.2 and 1.3 enabled, current cipher suites (Prosody ssl = { protocol = "tlsv1_2+" }; ejabberd s2s_protocol_options; Cisco Expressway: TLS version and cipher settings); test with openssl s_client -starttls xmpp-server -xmpphost {sni} -connect {endpoint}.',
    refs: [RFC8446_ALERTS, RFC7590],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      domain: 'example.org',
      sni: 'example.org',
      alert: 'handshake failure',
      message: 'ssl3_read_bytes:sslv3 alert handshake failure',
    },
  },
  'tls.handshake.timeout': {
    severity: 'error',
    title: 'TLS handshake with {endpoint} stalled',
    symptom:
      'Servers connecting to {domain} hang after STARTTLS (or after connecting for direct TLS) and give up.',
    cause:
      'The TLS handshake with {endpoint} did not finish within {timeoutMs} ms: the server stopped answering in the middle of the handshake (overloaded, a middlebox that drops large packets (MTU), or a server that does not actually start TLS after <proceed/>).',
    fix: 'Check the server\u2019s load and log; check for MTU/fragmentation problems on the path (large certificate chains); test with openssl s_client -starttls xmpp-server -xmpphost {domain} -connect {endpoint}.',
    refs: [RFC6120_STARTTLS],
    exampleEvidence: { endpoint: 'xmpp.example.org:5269', domain: 'example.org', timeoutMs: 10000 },
  },
  'tls.protocol.old': {
    severity: 'error',
    title: '{endpoint} negotiated {protocol}, which current peers refuse',
    symptom:
      'Servers with current OpenSSL defaults fail the handshake with {domain} ("unsupported protocol", "protocol version"); only old peers can federate.',
    cause:
      'The best TLS version {endpoint} agreed to is {protocol}. TLS 1.0 and 1.1 are deprecated (RFC 8996) and XMPP requires TLS 1.2 or later (RFC 7590).',
    fix: 'Enable TLS 1.2 and 1.3 on the server (Prosody: ssl = { protocol = "tlsv1_2+" }; ejabberd: current OpenSSL and default protocol options; Cisco Expressway: raise the minimum TLS version in its TLS settings), and upgrade its TLS library if it cannot.',
    refs: [RFC8996, RFC7590],
    exampleEvidence: { endpoint: 'xmpp.example.org:5269', domain: 'example.org', protocol: 'TLSv1' },
  },

  // --- direct TLS (XEP-0368) ---
  'tls.direct.ok': {
    severity: 'info',
    title: 'Direct TLS on {endpoint} works ({protocol})',
    symptom:
      'Servers that use _xmpps-server (XEP-0368) reach {domain} through {endpoint} with TLS from the first byte.',
    cause:
      'The TLS handshake with {endpoint} (SNI {domain}, ALPN offered xmpp-server, selected: {alpn}) completed with {protocol} and {cipher}.',
    fix: 'Nothing to do.',
    refs: [XEP0368],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5270',
      domain: 'example.org',
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      alpn: 'xmpp-server',
    },
  },
  'tls.direct.plaintext': {
    severity: 'error',
    title: '{endpoint} speaks plain XMPP, not direct TLS',
    symptom:
      'Servers that use _xmpps-server (XEP-0368) for {domain} fail the TLS handshake with {endpoint} ("wrong version number") and may give up instead of trying STARTTLS.',
    cause:
      '{endpoint} answered our TLS ClientHello with something that is not TLS ({message}): it is a STARTTLS (plain XMPP) port, but it is used as a direct-TLS target.',
    fix: 'List {endpoint} under _xmpp-server._tcp.{domain} (STARTTLS) instead of _xmpps-server._tcp.{domain}, or configure a real direct-TLS port (Prosody: s2s_direct_tls_ports = { 5270 }) and point the _xmpps-server record at it.',
    refs: [XEP0368],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5270',
      domain: 'example.org',
      message: 'ssl3_get_record:wrong version number',
    },
  },
});
