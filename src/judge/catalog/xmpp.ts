/**
 * Catalog: findings of area 'xmpp' (the s2s stream: RFC 6120 §4 stream open and errors,
 * §4.9.3 conditions, §11 restricted XML; authentication offers per XEP-0178 and XEP-0220;
 * the choice of target per RFC 6120 §3.2). IDs are forever (report contract, "Finding IDs").
 */
import { defineCatalog } from './types.js';

const RFC6120_STREAM = 'https://www.rfc-editor.org/rfc/rfc6120#section-4';
const RFC6120_ERRORS = 'https://www.rfc-editor.org/rfc/rfc6120#section-4.9.3';
const RFC6120_XML = 'https://www.rfc-editor.org/rfc/rfc6120#section-11';
const RFC6120_RESOLUTION = 'https://www.rfc-editor.org/rfc/rfc6120#section-3.2';
const XEP0178 = 'https://xmpp.org/extensions/xep-0178.html';
const XEP0220 = 'https://xmpp.org/extensions/xep-0220.html';
const XEP0478 = 'https://xmpp.org/extensions/xep-0478.html';

/** Evidence shared by the stream-error entries. */
const STREAM_ERROR_EXAMPLE = {
  endpoint: 'xmpp.example.org:5269',
  domain: 'example.org',
  step: 'stream features',
  text: 'This host does not serve example.org',
};

export const xmppCatalog = defineCatalog({
  // --- stream errors sent by the peer (RFC 6120 §4.9.3), one id per condition that matters ---
  'xmpp.stream.host-unknown': {
    severity: 'error',
    title: '{endpoint} does not serve {domain} (host-unknown)',
    symptom:
      'Servers that connect to {endpoint} for {domain} are turned away at once: messages to {domain} bounce with remote-server-not-found and their logs show "host-unknown".',
    cause:
      'The server at {endpoint} answered our stream to="{domain}" with the stream error host-unknown (peer text: {text}): this server does not serve {domain}. Either DNS sends {domain} to a server that does not host it, or {domain} is missing from that server\u2019s configuration.',
    fix: 'If this server should host {domain}, add it (Prosody: VirtualHost "{domain}" and reload; ejabberd: add "{domain}" to hosts: and reload_config; Cisco Expressway-E: add {domain} as a federated domain). If another server hosts {domain}, point _xmpp-server._tcp.{domain} at that server instead.',
    refs: [RFC6120_ERRORS, RFC6120_RESOLUTION],
    exampleEvidence: STREAM_ERROR_EXAMPLE,
  },
  'xmpp.stream.host-gone': {
    severity: 'error',
    title: '{endpoint} no longer serves {domain} (host-gone)',
    symptom: 'Servers reaching {endpoint} for {domain} are refused; messages to {domain} bounce.',
    cause:
      'The server at {endpoint} answered our stream to="{domain}" with host-gone (peer text: {text}): it used to serve {domain} but the host was removed or disabled (e.g. a module or VirtualHost unloaded).',
    fix: 'Re-enable {domain} on that server (check its configuration and reload it), or move the _xmpp-server._tcp.{domain} SRV records to the server that hosts {domain} now.',
    refs: [RFC6120_ERRORS],
    exampleEvidence: STREAM_ERROR_EXAMPLE,
  },
  'xmpp.stream.policy-violation': {
    severity: 'error',
    title: '{endpoint} refused the stream for {domain} by local policy (policy-violation)',
    symptom:
      'Servers connecting to {endpoint} are disconnected before they can authenticate; their logs show "policy-violation".',
    cause:
      'At step "{step}" the server at {endpoint} closed the stream with policy-violation (peer text: {text}). Typical policies: TLS required but not used, server-to-server disabled for {domain}, an allow list (Cisco Expressway privacy mode) that does not include the connecting domain, or a rate or size limit.',
    fix: 'Read the peer text above, then check the server\u2019s s2s policy: Prosody s2s_require_encryption / s2s_secure_auth and modules_disabled; ejabberd s2s_access and s2s_use_starttls; Cisco Expressway-E XMPP federation Security mode and Privacy mode (add the peer domain to the allow list).',
    refs: [RFC6120_ERRORS],
    exampleEvidence: { ...STREAM_ERROR_EXAMPLE, text: 'Use of STARTTLS required' },
  },
  'xmpp.stream.not-authorized': {
    severity: 'error',
    title: '{endpoint} refused the stream for {domain} as not authorized (not-authorized)',
    symptom:
      'Servers connecting to {endpoint} are disconnected with "not-authorized" before any message is delivered.',
    cause:
      'At step "{step}" the server at {endpoint} sent the stream error not-authorized (peer text: {text}): it does not accept this connection before authentication, or it rejects the connecting address or domain.',
    fix: 'Check the server\u2019s access rules for incoming server-to-server connections (Prosody s2s_secure_auth / s2s_insecure_domains; ejabberd s2s_access; Cisco Expressway-E privacy mode and allow list) and its logs for the reason.',
    refs: [RFC6120_ERRORS, XEP0220],
    exampleEvidence: { ...STREAM_ERROR_EXAMPLE, text: 'Your server\u2019s certificate is not valid' },
  },
  'xmpp.stream.improper-addressing': {
    severity: 'error',
    title: '{endpoint} rejected the stream addresses (improper-addressing)',
    symptom: 'Servers connecting to {endpoint} are disconnected with "improper-addressing".',
    cause:
      'The server at {endpoint} answered our header to="{domain}" from="{from}" with improper-addressing (peer text: {text}): it considers the to or from address missing or invalid.',
    fix: 'Check that {domain} is the exact XMPP domain (no user or resource part) and that --from names a real domain; if the peer insists on a from, run xfed with --from <your domain>.',
    refs: [RFC6120_ERRORS],
    exampleEvidence: { ...STREAM_ERROR_EXAMPLE, from: 'probe.example.net', text: 'Missing to attribute' },
  },
  'xmpp.stream.invalid-from': {
    severity: 'error',
    title: '{endpoint} rejected from="{from}" (invalid-from)',
    symptom: 'Servers announcing {from} are disconnected by {endpoint} with "invalid-from".',
    cause:
      'The server at {endpoint} does not accept the from address {from} of our stream (peer text: {text}): it may refuse that domain or require it to be authenticated first.',
    fix: 'Run xfed with --from set to a domain you control and that the peer accepts; on the peer, check its allow list or policy for {from}.',
    refs: [RFC6120_ERRORS],
    exampleEvidence: { ...STREAM_ERROR_EXAMPLE, from: 'probe.example.net', text: 'Unknown domain' },
  },
  'xmpp.stream.from-required': {
    severity: 'error',
    title: '{endpoint} requires a from address on the stream header',
    symptom:
      'xfed could not get past the stream header because it sent no from; real servers always send one, so this is about the probe, not necessarily about federation.',
    cause:
      'Our stream header to="{domain}" carried no from, and the server at {endpoint} answered with {condition} (peer text: {text}). Some servers insist on knowing the sending domain before they offer features.',
    fix: 'Run the probe again with --from <a domain you operate>, e.g. xfed probe tls {domain} --from chat.example.net.',
    refs: [RFC6120_ERRORS, 'https://www.rfc-editor.org/rfc/rfc6120#section-4.7.1'],
    exampleEvidence: { ...STREAM_ERROR_EXAMPLE, condition: 'improper-addressing', text: 'Missing from' },
  },
  'xmpp.stream.invalid-namespace': {
    severity: 'error',
    title: '{endpoint} does not accept a server-to-server stream (invalid-namespace)',
    symptom: 'Servers connecting to {endpoint} are disconnected immediately with "invalid-namespace".',
    cause:
      'The server at {endpoint} rejected our jabber:server stream with invalid-namespace (peer text: {text}). The port most likely belongs to another XMPP service: the client port (5222, jabber:client), a component port, or a BOSH/WebSocket gateway.',
    fix: 'Point _xmpp-server._tcp.{domain} (or --connect/--port) at the server-to-server port (5269 by default) and make sure the server listens for s2s there (Prosody s2s_ports, ejabberd ejabberd_s2s_in listener).',
    refs: [RFC6120_ERRORS],
    exampleEvidence: { ...STREAM_ERROR_EXAMPLE, step: 'stream header', text: '(none)' },
  },
  'xmpp.stream.see-other-host': {
    severity: 'error',
    title: '{endpoint} redirects {domain} to {otherHost} (see-other-host)',
    symptom:
      'Servers that do not follow redirects for server-to-server streams (most of them) fail to connect to {domain}.',
    cause:
      'The server at {endpoint} answered with see-other-host, naming {otherHost} (peer text: {text}). It wants connections for {domain} to go elsewhere, but DNS still points here.',
    fix: 'Update _xmpp-server._tcp.{domain} to point at {otherHost} (the host the server redirects to), or stop the redirect on {endpoint}.',
    refs: [RFC6120_ERRORS],
    exampleEvidence: { ...STREAM_ERROR_EXAMPLE, otherHost: 'xmpp2.example.org:5269', text: '(none)' },
  },
  'xmpp.stream.redirect-followed': {
    severity: 'info',
    title: 'Followed the redirect from {endpoint} to {otherEndpoint}: {result}',
    symptom:
      'Servers that follow see-other-host (some do, once) reach {otherEndpoint} for {domain}; there the connection {result}.',
    cause:
      '{endpoint} answered see-other-host naming {otherHost}; xfed followed it once, as such servers do. Problems at the redirect target: {problems}.',
    fix: 'The redirect itself is the problem for every other server (see xmpp.stream.see-other-host). If the redirect target fails too, repair it first (see the findings that name {otherEndpoint}).',
    refs: [RFC6120_ERRORS],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      domain: 'example.org',
      otherHost: 'xmpp2.example.org:5269',
      otherEndpoint: 'xmpp2.example.org:5269',
      result: 'works',
      problems: [],
    },
  },
  'xmpp.stream.system-shutdown': {
    severity: 'error',
    title: '{endpoint} is shutting down (system-shutdown)',
    symptom: 'Connections to {endpoint} are closed at once; federation with {domain} is down for now.',
    cause:
      'The server at {endpoint} answered with system-shutdown (peer text: {text}): it is stopping or restarting.',
    fix: 'Wait for the restart to finish and probe again; if it keeps happening, check the server\u2019s service manager and logs for a crash or restart loop.',
    refs: [RFC6120_ERRORS],
    exampleEvidence: STREAM_ERROR_EXAMPLE,
  },
  'xmpp.stream.unsupported-version': {
    severity: 'error',
    title: '{endpoint} does not support stream version 1.0 (unsupported-version)',
    symptom: 'Servers connecting with version 1.0 streams (all current ones) are refused by {endpoint}.',
    cause:
      'The server at {endpoint} answered our version="1.0" header with unsupported-version (peer text: {text}).',
    fix: 'Upgrade or reconfigure the server on {endpoint}: every current XMPP server speaks stream version 1.0 (RFC 6120). If a proxy or load balancer sits in front, check that it forwards the stream unchanged.',
    refs: [RFC6120_ERRORS, 'https://www.rfc-editor.org/rfc/rfc6120#section-4.7.5'],
    exampleEvidence: STREAM_ERROR_EXAMPLE,
  },
  'xmpp.stream.connection-timeout': {
    severity: 'error',
    title: '{endpoint} closed the stream as timed out (connection-timeout)',
    symptom: 'Connections to {endpoint} are closed by the server for inactivity before they complete.',
    cause:
      'The server at {endpoint} sent connection-timeout at step "{step}" (peer text: {text}). Its negotiation timeout is shorter than the time the connection needed.',
    fix: 'Check the server\u2019s timeouts (Prosody s2s_timeout, ejabberd negotiation_timeout) and network latency; retry the probe with a shorter --timeout to see which step is slow.',
    refs: [RFC6120_ERRORS],
    exampleEvidence: STREAM_ERROR_EXAMPLE,
  },
  'xmpp.stream.resource-constraint': {
    severity: 'error',
    title: '{endpoint} has no resources for another stream (resource-constraint)',
    symptom: 'Connections to {endpoint} are refused intermittently; federation with {domain} is flaky.',
    cause:
      'The server at {endpoint} answered with resource-constraint (peer text: {text}): it lacks memory, file descriptors or connection slots.',
    fix: 'Check the server\u2019s load, open file limit (ulimit -n, LimitNOFILE) and connection limits, then probe again.',
    refs: [RFC6120_ERRORS],
    exampleEvidence: STREAM_ERROR_EXAMPLE,
  },
  'xmpp.stream.internal-server-error': {
    severity: 'error',
    title: '{endpoint} failed internally (internal-server-error)',
    symptom: 'Connections to {endpoint} are closed with "internal-server-error".',
    cause:
      'The server at {endpoint} hit an internal error at step "{step}" (peer text: {text}); this is a bug or misconfiguration on that server, not a protocol problem of the connecting side.',
    fix: 'Look at the server\u2019s error log at the time of this probe; a module failing to load or a broken TLS/certificate configuration are common causes.',
    refs: [RFC6120_ERRORS],
    exampleEvidence: STREAM_ERROR_EXAMPLE,
  },
  'xmpp.stream.error-other': {
    severity: 'error',
    title: '{endpoint} closed the stream with {condition}',
    symptom: 'Servers connecting to {endpoint} for {domain} are disconnected with "{condition}".',
    cause: 'At step "{step}" the server at {endpoint} sent the stream error {condition} (peer text: {text}).',
    fix: 'Look up {condition} in RFC 6120 §4.9.3 and check the server\u2019s log for the same time; the peer text usually names the reason.',
    refs: [RFC6120_ERRORS],
    exampleEvidence: { ...STREAM_ERROR_EXAMPLE, condition: 'undefined-condition' },
  },

  // --- the stream itself ---
  'xmpp.service.not-xmpp': {
    severity: 'error',
    title: '{endpoint} does not speak XMPP ({kind})',
    symptom: 'Servers connecting to {endpoint} for {domain} get no XMPP stream and give up.',
    cause:
      'The service on {endpoint} is not an XMPP stream service: {detail}. Kind: {kind} (http = a web server, tls = a TLS-first port such as a direct-TLS or HTTPS port, ssh = an SSH server, smtp = a mail server, other = another protocol).',
    fix: 'Point _xmpp-server._tcp.{domain} (or --connect/--port) at the XMPP server-to-server port (5269 by default). If the port is a direct-TLS XMPP port, publish it as _xmpps-server._tcp.{domain} instead, or probe it with --direct-tls.',
    refs: [RFC6120_STREAM, 'https://xmpp.org/extensions/xep-0368.html'],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      domain: 'example.org',
      kind: 'http',
      detail: 'the peer answered like an HTTP server ("HTTP/1.1 400 Bad Request")',
    },
  },
  'xmpp.stream.legacy-version': {
    severity: 'error',
    title: '{endpoint} answers without stream version 1.0 (version {version})',
    symptom:
      'Current servers require TLS, which needs stream features; with {endpoint} they cannot negotiate STARTTLS and refuse to federate.',
    cause:
      'The server at {endpoint} sent a stream header with version {version}: a pre-RFC 3920 server (or a proxy rewriting the header) that offers no stream features, so no STARTTLS and no SASL.',
    fix: 'Upgrade the server on {endpoint} to one that speaks RFC 6120 streams (version 1.0).',
    refs: ['https://www.rfc-editor.org/rfc/rfc6120#section-4.7.5'],
    exampleEvidence: { endpoint: 'xmpp.example.org:5269', version: '(none)' },
  },
  'xmpp.stream.timeout': {
    severity: 'error',
    title: '{endpoint} went silent at "{step}"',
    symptom:
      'Servers connecting to {endpoint} hang and then give up; messages to {domain} queue and finally bounce with remote-server-timeout.',
    cause:
      'The TCP connection to {endpoint} was accepted, but nothing (or no complete element) arrived within {timeoutMs} ms at step "{step}". A firewall or proxy that accepts and then drops, an overloaded or hung server, or a service waiting for something else (e.g. TLS first) all look like this.',
    fix: 'Check that the XMPP server is running and responsive on {endpoint} (its log should show the incoming connection); check middleboxes in front of it; if the port expects TLS first, probe with --direct-tls.',
    refs: [RFC6120_STREAM],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      domain: 'example.org',
      step: 'stream header',
      timeoutMs: 10000,
    },
  },
  'xmpp.stream.closed': {
    severity: 'error',
    title: '{endpoint} closed the connection at "{step}"',
    symptom: 'Servers connecting to {endpoint} are disconnected without an explanation.',
    cause:
      'The server at {endpoint} ended the connection ({closedBy}) at step "{step}" without a stream error. Typical: the server rejects the connecting address (firewall, fail2ban, allow list), crashed, or a proxy closed the connection.',
    fix: 'Look at the server\u2019s log for the time of this probe; check access lists and rate limits for the probing address.',
    refs: [RFC6120_STREAM],
    exampleEvidence: { endpoint: 'xmpp.example.org:5269', step: 'stream header', closedBy: 'eof' },
  },
  'xmpp.stream.invalid-utf8': {
    severity: 'error',
    title: '{endpoint} sent bytes that are not valid UTF-8',
    symptom:
      'Servers close the stream from {endpoint} as soon as the bad bytes arrive (RFC 6120 requires UTF-8; Prosody and ejabberd answer with a stream error), so federation with {domain} breaks at step "{step}" or whenever such text is sent.',
    cause: 'At step "{step}" {endpoint} sent {detail}.',
    fix: 'Find what writes non-UTF-8 text into the stream at {endpoint} (a misconfigured greeting, a proxy, text in another encoding such as Latin-1 in a configuration file) and make it UTF-8; run xfed with --transcript to see the bytes.',
    refs: ['https://www.rfc-editor.org/rfc/rfc6120#section-11.6'],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      domain: 'example.org',
      step: 'stream features',
      detail: 'the bytes are not valid UTF-8 (at byte 112 of this chunk: 0xe9)',
    },
  },
  'xmpp.stream.malformed': {
    severity: 'error',
    title: '{endpoint} sent XML that is not well-formed',
    symptom: 'Servers close the stream with "not-well-formed" right after connecting to {endpoint}.',
    cause: 'At step "{step}" the bytes from {endpoint} could not be parsed as XML: {detail}.',
    fix: 'Check what listens on {endpoint} (run xfed with --transcript to see the bytes); a proxy or a non-XMPP service is the usual cause.',
    refs: [RFC6120_XML],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      step: 'stream header',
      detail: 'text data outside of root node',
    },
  },
  'xmpp.stream.restricted-xml': {
    severity: 'error',
    title: '{endpoint} sent restricted XML (DTD, entity or processing instruction)',
    symptom: 'Servers close the stream with "restricted-xml" when {endpoint} answers.',
    cause:
      'At step "{step}" {endpoint} sent XML that RFC 6120 §11.1 forbids on XMPP streams: {detail}. Such constructs enable entity-expansion attacks, so every peer must refuse them.',
    fix: 'Find out what produces this stream on {endpoint} (run xfed with --transcript): a real XMPP server never sends a DOCTYPE; a misbehaving proxy or a custom gateway does.',
    refs: [RFC6120_XML],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      step: 'stream header',
      detail: 'the peer sent a DOCTYPE (DTDs and entity declarations are forbidden on XMPP streams)',
    },
  },
  'xmpp.stream.too-large': {
    severity: 'error',
    title: '{endpoint} sent an element larger than the limit',
    symptom: 'Servers drop the connection to {endpoint} when an oversized element arrives.',
    cause:
      'At step "{step}" {endpoint} sent {detail}. Servers bound what they buffer (Prosody: 512 KiB by default, XEP-0478 stream limits) and close the stream when the bound is exceeded.',
    fix: 'Find out what produces this stream on {endpoint} (xfed --transcript); a stream that never completes an element is a broken server or proxy.',
    refs: [RFC6120_XML, XEP0478],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      step: 'stream features',
      detail: 'more than 524288 bytes without a complete top-level element',
    },
  },
  'xmpp.stream.unexpected-element': {
    severity: 'error',
    title: '{endpoint} sent {element} at "{step}"',
    symptom: 'Servers give up on {endpoint} because its answer makes no sense at that point of the stream.',
    cause:
      'At step "{step}" the server at {endpoint} sent {element} instead of what RFC 6120 requires there (stream features after the header, proceed or failure after starttls).',
    fix: 'Check the server software and any proxy in front of {endpoint}; run xfed with --transcript to see the exchange.',
    refs: [RFC6120_STREAM],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      step: 'stream features',
      element: '{jabber:server}message',
    },
  },

  // --- authentication offered after TLS (XEP-0178, XEP-0220) ---
  'xmpp.auth.none': {
    severity: 'error',
    title: '{endpoint} offers no way for servers to authenticate',
    symptom:
      'Servers connect and negotiate TLS, then give up ("No viable authentication method offered", "No SASL EXTERNAL offer and Dialback doesn\u2019t seem to be enabled"); nothing is delivered to {domain}.',
    cause:
      'After TLS the server at {endpoint} offered neither SASL EXTERNAL nor dialback (features: {features}). SASL EXTERNAL is offered only to peers whose certificate it validated; without dialback, other peers have no way in.',
    fix: 'Enable dialback (Prosody: keep "dialback" in modules_enabled; ejabberd: mod_s2s_dialback; Cisco Expressway: dialback secret set) and/or make sure peers\u2019 certificates validate for SASL EXTERNAL (trusted CA file on the server).',
    refs: [XEP0178, XEP0220],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      domain: 'example.org',
      features: ['{urn:xmpp:features:bidi}bidi'],
    },
  },
  'xmpp.auth.external-only': {
    severity: 'warning',
    title: '{endpoint} offers only SASL EXTERNAL, no dialback',
    symptom:
      'Servers whose certificate {endpoint} does not trust cannot authenticate and fail ("SASL EXTERNAL failed"); others (with a trusted certificate for their domain) work.',
    cause:
      'After TLS the server at {endpoint} offered SASL mechanisms {mechanisms} and no dialback feature: only certificate authentication (XEP-0178) is possible.',
    fix: 'If that is intended (secure federation only), make sure partners have certificates from a CA the server trusts; otherwise enable dialback (Prosody: "dialback" in modules_enabled; ejabberd: mod_s2s_dialback).',
    refs: [XEP0178, XEP0220],
    exampleEvidence: { endpoint: 'xmpp.example.org:5269', mechanisms: ['EXTERNAL'] },
  },
  'xmpp.auth.dialback-offered': {
    severity: 'info',
    title: '{endpoint} offers dialback after TLS',
    symptom: 'Servers can authenticate with Server Dialback (XEP-0220) once TLS is up.',
    cause: 'After TLS the server at {endpoint} advertised the dialback feature (error support: {errors}).',
    fix: 'Nothing to do. For dialback to succeed the authoritative server for the sending domain must be reachable too: check with xfed dialback.',
    refs: [XEP0220],
    exampleEvidence: { endpoint: 'xmpp.example.org:5269', errors: true },
  },
  'xmpp.auth.external-offered': {
    severity: 'info',
    title: '{endpoint} offers SASL EXTERNAL after TLS',
    symptom: 'Servers with a certificate {endpoint} trusts can authenticate with it (XEP-0178).',
    cause: 'After TLS the server at {endpoint} offered the SASL mechanisms {mechanisms}.',
    fix: 'Nothing to do.',
    refs: [XEP0178],
    exampleEvidence: { endpoint: 'xmpp.example.org:5269', mechanisms: ['EXTERNAL'] },
  },

  // --- choosing a target (RFC 6120 §3.2) ---
  'xmpp.target.failover': {
    severity: 'warning',
    title: '{deadEndpoint} failed; servers must fall back to {usedEndpoint}',
    symptom:
      'Federation with {domain} works but is slow or intermittent: servers that try {deadEndpoint} first wait or fail before they reach {usedEndpoint}, and some do not move on at all.',
    cause:
      '{deadEndpoint} is listed for {domain} ahead of (or together with) {usedEndpoint}, and the attempt there failed: {problem} ({problemId}).',
    fix: 'Repair the server at {deadEndpoint} (see "xfed explain {problemId}"), or remove it from the _xmpp-server._tcp.{domain} / _xmpps-server._tcp.{domain} SRV records.',
    refs: [RFC6120_RESOLUTION],
    exampleEvidence: {
      domain: 'example.org',
      deadEndpoint: 'xmpp1.example.org:5269',
      usedEndpoint: 'xmpp2.example.org:5269',
      problem: 'Nothing listens on xmpp1.example.org:5269 (connection refused)',
      problemId: 'tcp.connect.refused',
    },
  },
  'xmpp.target.no-address': {
    severity: 'error',
    title: 'No address to connect to for {host}',
    symptom: 'Servers cannot connect to {domain} at all; messages bounce with remote-server-not-found.',
    cause: 'The lookup of {host} found no IPv4 or IPv6 address ({reason}: {message}).',
    fix: 'Publish an A and/or AAAA record for {host} (or, for a domain, _xmpp-server._tcp.{domain} SRV records pointing at a host that has one); check the name for typos. xfed check srv {domain} shows the DNS details.',
    refs: [RFC6120_RESOLUTION],
    exampleEvidence: {
      host: 'xmpp.example.org',
      domain: 'example.org',
      reason: 'nxdomain',
      message: 'no A or AAAA record for xmpp.example.org (nxdomain)',
    },
  },
  'xmpp.target.address-failover': {
    severity: 'warning',
    title: 'Address {deadAddress} of {host} failed; servers must fall back to {usedAddress}',
    symptom:
      'Federation with {domain} works but is slow or intermittent: servers that try {deadAddress} first wait or fail before they reach {usedAddress}, another address of the same host {host}.',
    cause:
      'DNS lists {deadAddress} for {host} ({record}), and the connection there failed: {problem} ({problemId}). The other address of {host} works, so the SRV record is fine; the address record is stale or the server does not listen on that address.',
    fix: 'Remove or correct the DNS record "{record}" (or make the server listen on {deadAddress}). Do not remove the SRV record for {host}: it also carries the working address {usedAddress}.',
    refs: [RFC6120_RESOLUTION],
    exampleEvidence: {
      domain: 'example.org',
      host: 'xmpp.example.org',
      deadAddress: '[2001:db8::5]:5269',
      usedAddress: '192.0.2.5:5269',
      record: 'xmpp.example.org AAAA 2001:db8::5',
      problem: 'Nothing listens on xmpp.example.org:5269 (connection refused)',
      problemId: 'tcp.connect.refused',
    },
  },
  'xmpp.target.repeated': {
    severity: 'info',
    title: '{count} more {repeatedId} findings on other targets of {domain}',
    symptom: 'The same problem affects more targets than the {shown} listed above.',
    cause: 'The finding {repeatedId} also applies to: {others}.',
    fix: 'See the {repeatedId} findings above ("xfed explain {repeatedId}"); the same fix applies to each of these targets.',
    refs: [RFC6120_RESOLUTION],
    exampleEvidence: {
      domain: 'example.org',
      repeatedId: 'tcp.connect.refused',
      count: 2,
      shown: 3,
      others: ['xmpp4.example.org:5269', 'xmpp5.example.org:5269'],
    },
  },
  'xmpp.target.none-usable': {
    severity: 'error',
    title: 'None of the {count} targets of {domain} is usable',
    symptom:
      'Servers that authenticate or validate certificates cannot federate with {domain}: every target they may pick, in priority order, fails: {targets}.',
    cause:
      'Each target listed for {domain} either cannot be reached or fails after the connection (certificate, TLS or stream): {targets}. The lowest priority number is tried first (RFC 2782), so a working target with a higher number would have been reached only after the failing ones; here there is none.',
    fix: 'Repair at least the preferred target (the first listed; see each finding above), then the others. xfed probe tls {domain} shows every target.',
    refs: [RFC6120_RESOLUTION, 'https://www.rfc-editor.org/rfc/rfc2782'],
    exampleEvidence: {
      domain: 'example.org',
      count: 2,
      targets: [
        'xmpp1.example.org:5269 [192.0.2.1] (priority 0): The certificate of xmpp1.example.org:5269 has expired (cert.validity.expired)',
        'xmpp2.example.org:5269 [192.0.2.2] (priority 10): Nothing listens on xmpp2.example.org:5269 (connection refused) (tcp.connect.refused)',
      ],
    },
  },
});
