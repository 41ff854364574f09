/**
 * Catalog: findings of area 'logs' (`xfed logs`): what Expressway/VCS, IM and Presence (XCP),
 * Prosody and ejabberd logs say about federation, with the line that says it (docs/logs.md;
 * TAC 213865 for the AXL and dialback trails). Every finding's evidence carries file, line and
 * the quoted line (quote); {count} is how many lines said the same. IDs are forever.
 */
import { defineCatalog } from './types.js';

const TAC_213865 =
  'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/213865-configure-and-troubleshoot-xmpp-federati.html';
const TAC_117811 =
  'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway-series/117811-configure-vcs-00.html';
const XEP0220 = 'https://xmpp.org/extensions/xep-0220.html';
const XEP0178 = 'https://xmpp.org/extensions/xep-0178.html';
const RFC6120_SRV = 'https://www.rfc-editor.org/rfc/rfc6120#section-3.2';
const PROSODY_S2S = 'https://prosody.im/doc/s2s';
const PROSODY_CERTS = 'https://prosody.im/doc/certificates';
const EJABBERD_S2S = 'https://docs.ejabberd.im/admin/configuration/toplevel/#s2s-use-starttls';
const DOCS = 'docs/logs.md';

/** Where a finding's line is: every logs finding has these. */
const AT = { file: 'diagnostic_log.tar.gz:loggingsnapshot_expe.txt', line: 1042, count: 1 };
const AXL = {
  ...AT,
  quote:
    '2024-05-02T10:11:12+00:00 expc tvcs: UTCTime="2024-05-02 10:11:12,345" Module="network.axl" Level="ERROR" Function="executeSQLQuery" Status="401" Reason="None"',
  status: '401',
  reason: 'None',
  url: 'https://imp.example.com:8443/axl/',
  host: 'imp.example.com',
};
const PROSODY_AT = { ...AT, file: '/var/log/prosody/prosody.log', line: 88 };
const EJABBERD_AT = { ...AT, file: '/var/log/ejabberd/ejabberd.log', line: 512 };

export const logsCatalog = defineCatalog({
  // --- AXL: Expressway-C writing the IM and Presence xmpps2snodes table (Symptom 1) ---
  'logs.axl.unauthorized': {
    severity: 'error',
    title: 'Expressway-C\u2019s AXL requests to {host} are refused: HTTP {status}',
    symptom:
      'IM and presence federate one way only: messages out work, nothing comes in, while IM and Presence shows active. The log has {count} AXL answer(s) like {file} line {line}: {quote}',
    cause:
      'Expressway-C updates the IM and Presence xmpps2snodes table over AXL with the credentials stored on Expressway-C for that server; IM and Presence answers 401 Unauthorized, so the user name or password there is wrong (or the account lost its AXL role).',
    fix: 'On Expressway-C, Configuration > Unified Communications > IM and Presence Service nodes: correct the AXL user and password for {host}, save, then Refresh servers (re-discover). Check the credentials first with `xfed axl-auth --host {host} --user <axl user> --query-s2s` (password from XFED_AXL_PASSWORD).',
    refs: [TAC_213865, DOCS],
    exampleEvidence: AXL,
  },
  'logs.axl.forbidden': {
    severity: 'error',
    title: 'Expressway-C\u2019s AXL user may not run {function} on {host}: HTTP {status}',
    symptom:
      'Federation works one way only; Expressway-C cannot write the xmpps2snodes table. {count} AXL answer(s) like {file} line {line}: {quote}',
    cause:
      'The credentials are accepted but the account lacks the Standard AXL API Access role (or AXL is not active on the node), so IM and Presence answers 403 Forbidden.',
    fix: 'Give the AXL application user the Standard AXL API Access role (Cisco Unified CM Administration > User Management), make sure the Cisco AXL Web Service runs on {host}, then Refresh servers on Expressway-C. Verify with `xfed axl-auth --host {host} --user <axl user> --query-s2s`.',
    refs: [TAC_213865, DOCS],
    exampleEvidence: { ...AXL, status: '403', reason: 'Forbidden', function: 'executeSQLQuery' },
  },
  'logs.axl.failed': {
    severity: 'error',
    title: 'AXL request {function} to {host} failed: status {status} ({reason})',
    symptom:
      'Expressway-C could not update IM and Presence over AXL, so federation routing there may be stale. {count} answer(s) like {file} line {line}: {quote}',
    cause:
      'IM and Presence (or something between) answered {function} with status {status} ({reason}): a server error, an overloaded or restarting Tomcat, a wrong node, or a proxy in the path.',
    fix: 'Check the IM and Presence server entry on Expressway-C (Configuration > Unified Communications > IM and Presence Service nodes) and the health of Cisco Tomcat and the AXL Web Service on {host}; `xfed axl-auth --host {host} --user <axl user> --query-s2s` shows the answer in detail.',
    refs: [TAC_213865, DOCS],
    exampleEvidence: { ...AXL, status: '500', reason: 'Internal Server Error', function: 'executeSQLQuery' },
  },

  // --- Federation switched on/off (Symptom 2) ---
  'logs.federation.restart-needed': {
    severity: 'error',
    title: 'XMPP federation was switched {change} and federation failed afterwards',
    symptom:
      'After the change at {file} line {line} ({quote}), the logs show {failures} federation failure(s), first at {failureFile} line {failureLine}: {failureQuote}',
    cause:
      'Changing XMPP federation on Expressway-E changes the routing the IM and Presence XCP Router uses; until the Cisco XCP Router restarts it keeps the old routes and bounces packets (IM and Presence shows a "Cisco XCP Router requires a restart" notification, though not always).',
    fix: 'Restart the Cisco XCP Router on every IM and Presence node (Cisco Unified Serviceability > Tools > Control Center - Network Services, or `utils service restart Cisco XCP Router`); if packets still bounce, restart the IM and Presence cluster. `xfed cisco services` reads the service state remotely.',
    refs: [TAC_213865, DOCS],
    exampleEvidence: {
      ...AT,
      quote: 'Detail="xconfiguration xcpConfiguration is_federation_enabled - changed from: 0 to: 1"',
      change: 'on (0->1)',
      failures: 3,
      failureFile: 'loggingsnapshot_expe.txt',
      failureLine: 2051,
      failureQuote: 'DBVerify Packet Received <db:verify … type=\u2019invalid\u2019>',
    },
  },
  'logs.federation.toggled': {
    severity: 'info',
    title: 'XMPP federation was switched {change}',
    symptom: '{file} line {line}: {quote}',
    cause:
      'Expressway-E\u2019s XMPP federation setting changed; no federation failure follows in these logs.',
    fix: 'Nothing to do if federation works. If packets start bouncing, restart the Cisco XCP Router on the IM and Presence nodes (check with `xfed cisco services`).',
    refs: [TAC_213865, DOCS],
    exampleEvidence: {
      ...AT,
      quote: 'Detail="xconfiguration xcpConfiguration is_federation_enabled - changed from: 0 to: 1"',
      change: 'on (0->1)',
    },
  },

  // --- Dialback (the 7-step trail) ---
  'logs.dialback.callback-timeout': {
    severity: 'error',
    title: 'Dialback {from} \u2192 {to}: no answer within {seconds} s',
    symptom:
      'The db:result for {from} \u2192 {to} was sent ({file} line {line}: {quote}) and nothing answered it within the dialback timeout of {seconds} s; the session never reached CONNECTED and stanzas bounce or wait.',
    cause:
      '{to} never completed its callback: it could not resolve or reach the authoritative server of {from} (_xmpp-server._tcp.{from}, port 5269 from outside), or its own db:verify went unanswered.',
    fix: 'From {to}\u2019s side, {from} must resolve (SRV _xmpp-server._tcp.{from}) to an address where {from}\u2019s Expressway-E (or server) accepts 5269; test it with `xfed dialback {to} --as {from}` and `xfed check srv {from}`.',
    refs: [TAC_213865, XEP0220, DOCS],
    exampleEvidence: {
      ...AT,
      quote: 'Scheduling dialback timeout in 30 secs.',
      from: 'example.com',
      to: 'example.org',
      seconds: 30,
    },
  },
  'logs.dialback.resolve-failed': {
    severity: 'error',
    title: 'Dialback callback: {query} did not resolve',
    symptom:
      'The receiving server could not look up the authoritative server of {domain} ({file} line {line}: {quote}), so dialback from {domain} fails and its stanzas bounce.',
    cause:
      'The SRV query {query} (and the fallback A/AAAA lookup of {domain}) failed from this server: the record is missing, the domain is misspelt, or this server\u2019s DNS cannot resolve public names.',
    fix: 'Publish _xmpp-server._tcp.{domain} pointing at {domain}\u2019s federation host on 5269, and check the DNS servers this node uses (Expressway: System > DNS). `xfed check srv {domain}` shows what the world sees.',
    refs: [RFC6120_SRV, TAC_213865, DOCS],
    exampleEvidence: {
      ...AT,
      quote: 'Resolver.cpp … failed',
      domain: 'example.com',
      query: '_xmpp-server._tcp.example.com',
    },
  },
  'logs.dialback.verify-invalid': {
    severity: 'error',
    title: 'Dialback key from {from} to {to} verified as invalid',
    symptom:
      'The authoritative server of {from} answered db:verify with type=invalid ({count} time(s); {file} line {line}: {quote}); {to} refuses the session and messages from {from} bounce.',
    cause:
      'The key {from} sent was computed with a dialback secret other than the one the answering node holds: nodes of {from} (a cluster, both Expressway-E peers, or an old server still in DNS) do not share one secret, or the secret changed in between.',
    fix: 'Give every node of {from} the same dialback secret (Expressway-E: Configuration > Unified Communications > Dialback secret, identical on each peer), then recompute the logged key to see which secret made it: {keyCommand}',
    refs: [XEP0220, TAC_213865, DOCS],
    exampleEvidence: {
      ...AT,
      quote:
        "DBVerify Packet Received <db:verify from='example.com' id='05E295A2B' to='example.org' type='invalid'>",
      from: 'example.com',
      to: 'example.org',
      keyCommand:
        'XFED_DIALBACK_SECRET=… xfed dialback key --receiving example.org --originating example.com --stream-id 05E295A2B --key d780f198ac34a6dbd795fcdaf8762eaf52ea9b03',
    },
  },
  'logs.dialback.verify-error': {
    severity: 'error',
    title: 'Dialback from {from} to {to} failed: {reason}',
    symptom: '{to} could not verify {from} ({count} time(s); {file} line {line}: {quote}).',
    cause:
      'The verification did not get a valid/invalid answer: the authoritative server of {from} answered with an error, or could not be reached ({reason}).',
    fix: 'Check that {from} resolves from {to}\u2019s side and accepts s2s connections on 5269 (`xfed check srv {from}`, `xfed dialback {to} --as {from}`).',
    refs: [XEP0220, DOCS],
    exampleEvidence: {
      ...EJABBERD_AT,
      quote:
        'Failed inbound s2s dialback authentication example.com -> example.org (192.0.2.1): Verification failed: …',
      from: 'example.com',
      to: 'example.org',
      reason: 'type=error',
    },
  },
  'logs.dialback.receiver-timeout': {
    severity: 'error',
    title: '{to} gave up waiting for dialback from {from}',
    symptom:
      'The incoming stream from {from} was closed with connection-timeout before dialback finished ({count} time(s); {file} line {line}: {quote}).',
    cause:
      'The callback to {from}\u2019s authoritative server did not complete within the server\u2019s s2s timeout: it could not be resolved or reached, or it never answered.',
    fix: 'Check that {from} resolves from {to}\u2019s side (SRV _xmpp-server._tcp.{from}) and accepts connections on 5269; `xfed dialback {to} --as {from}` repeats the exchange.',
    refs: [XEP0220, PROSODY_S2S, DOCS],
    exampleEvidence: {
      ...PROSODY_AT,
      quote: 'Disconnecting example.com->example.org[s2sin_unauthed] … connection-timeout',
      from: 'example.com',
      to: 'example.org',
    },
  },
  'logs.dialback.valid': {
    severity: 'info',
    title: 'Dialback {from} \u2192 {to} completed',
    symptom: '{count} session(s) from {from} to {to} were verified; the last at {file} line {line}: {quote}',
    cause: 'The key verified and the session was established.',
    fix: 'Nothing to do.',
    refs: [XEP0220, DOCS],
    exampleEvidence: {
      ...AT,
      quote: "DBVerify Packet Received <db:verify … type='valid'>",
      from: 'example.com',
      to: 'example.org',
    },
  },

  // --- Cisco internal XCP and TLS ---
  'logs.xcp.internal-refused': {
    severity: 'error',
    title: 'Connection to the internal XCP router at {host}:{port} refused',
    symptom:
      'Expressway-C could not connect to Expressway-E\u2019s XCP on {host}:{port} ({count} time(s); {file} line {line}: {quote}); federated IM and presence stop at the Expressway pair.',
    cause:
      'Expressway-C reaches Expressway-E\u2019s XCP router on TCP 7400 on the address it knows for Expressway-E. Nothing accepted there: a firewall rejects 7400 between C and E, or Expressway-E listens on another interface (dual NIC enabled, but the internal NIC unused or misaddressed).',
    fix: 'Allow TCP 7400 from Expressway-C to Expressway-E\u2019s internal address; on Expressway-E check System > Network interfaces (use the internal LAN for C-to-E traffic when dual NIC is on) and that the traversal zone names the internal address.',
    refs: [TAC_117811, TAC_213865, DOCS],
    exampleEvidence: {
      ...AT,
      quote: 'Detail=" Unable to connect to host \'10.48.36.171\', port 7400 :(111) Connection refused"',
      host: '10.48.36.171',
      port: 7400,
    },
  },
  'logs.xcp.component-failed': {
    severity: 'error',
    title: 'XCP component {component} could not be reached',
    symptom: '{file} line {line}: {quote} ({count} time(s)).',
    cause:
      'An XCP component connection (between Expressway-C and Expressway-E, or to IM and Presence) failed; federation traffic cannot pass through it.',
    fix: 'Check reachability of TCP 7400 between the Expressway nodes and IM and Presence, and the Unified Communications status on both Expressways.',
    refs: [TAC_117811, DOCS],
    exampleEvidence: {
      ...AT,
      quote: 'Failed to connect to component jabberd-port-1.expresswayc',
      component: 'jabberd-port-1.expresswayc',
    },
  },
  'logs.tls.negotiation-failed': {
    severity: 'error',
    title: 'TLS negotiation with {peer} failed{identityNote}',
    symptom: '{count} TLS failure(s) like {file} line {line}: {quote}',
    cause:
      'The TLS handshake failed: {reason}. The certificate identity presented was {identity}; a peer whose certificate does not name the domain (or that the other side does not trust) is refused.',
    fix: 'Make the certificate name the XMPP domain (subjectAltName DNS entry for the federated domain and any chat node aliases) and be issued by a CA the other side trusts; on Expressway, add the peer\u2019s CA under Maintenance > Security > Trusted CA certificate. `xfed probe tls <domain>` shows what a peer sees.',
    refs: [XEP0178, TAC_213865, DOCS],
    exampleEvidence: {
      ...AT,
      quote:
        'Event="Outbound TLS Negotiation Error" … Detail="Peer\u2019s TLS certificate identity was unacceptable" Common-name="cups.example.com"',
      peer: '192.0.2.10:5269',
      identity: 'cups.example.com',
      identityNote: ' (certificate cups.example.com)',
      reason: 'Peer\u2019s TLS certificate identity was unacceptable',
    },
  },

  // --- Prosody / ejabberd s2s ---
  'logs.s2s.cert-expired': {
    severity: 'error',
    title: '{server} refused {peer}: its certificate has expired',
    symptom: 'Connections with {peer} are closed ({count} time(s); {file} line {line}: {quote}).',
    cause:
      'The certificate {peer} presents is past its notAfter date, and this server requires a valid certificate there (Prosody: s2s_secure_auth or a secure domain; ejabberd: SASL EXTERNAL, and its own connections to servers it does not allow dialback for).',
    fix: '{peer} must renew its certificate (and reload the server); `xfed probe tls {peer}` shows the dates it serves.',
    refs: [PROSODY_CERTS, XEP0178, DOCS],
    exampleEvidence: {
      ...PROSODY_AT,
      quote: 'Forbidding insecure connection to/from example.com because its certificate has expired',
      server: 'Prosody',
      peer: 'example.com',
    },
  },
  'logs.s2s.cert-untrusted': {
    severity: 'error',
    title: '{server} refused {peer}: certificate not trusted ({problem})',
    symptom: 'Connections with {peer} are closed ({count} time(s); {file} line {line}: {quote}).',
    cause:
      'The certificate {peer} presents does not chain to a CA in this server\u2019s trust store (self-signed, a private CA, or a missing intermediate), and the server requires certificate authentication there (Prosody: s2s_secure_auth or a secure domain; ejabberd: SASL EXTERNAL, and its own connections to servers it does not allow dialback for).',
    fix: '{peer} should serve a certificate from a public CA with its full chain; or, if the private CA is intended, add it to this server\u2019s trust store (Prosody: ssl.cafile/capath; ejabberd: ca_file). `xfed probe tls {peer}` shows the chain.',
    refs: [PROSODY_CERTS, XEP0178, DOCS],
    exampleEvidence: {
      ...PROSODY_AT,
      quote: 'Forbidding insecure connection to/from example.com because its certificate is not trusted',
      server: 'Prosody',
      peer: 'example.com',
      problem: 'untrusted',
    },
  },
  'logs.s2s.cert-name-mismatch': {
    severity: 'error',
    title: '{server} refused {peer}: certificate not valid for that name',
    symptom: 'Connections with {peer} are closed ({count} time(s); {file} line {line}: {quote}).',
    cause:
      'The certificate {peer} presents does not name {peer} (no matching DNS or XmppAddr identity, RFC 6125 / XEP-0178).',
    fix: 'Issue {peer} a certificate whose subjectAltName includes {peer}; `xfed probe tls {peer}` shows the names it serves.',
    refs: [XEP0178, PROSODY_CERTS, DOCS],
    exampleEvidence: {
      ...PROSODY_AT,
      quote:
        'Forbidding insecure connection to/from example.com because its certificate is not valid for this name',
      server: 'Prosody',
      peer: 'example.com',
    },
  },
  'logs.s2s.cert-rejected': {
    severity: 'error',
    title: '{server} refused {peer} because of its certificate',
    symptom: 'Connections with {peer} are closed ({count} time(s); {file} line {line}: {quote}).',
    cause: 'The certificate of {peer} could not be validated: {reason}.',
    fix: 'Check {peer}\u2019s certificate chain, dates and names with `xfed probe tls {peer}`, and this server\u2019s trust store.',
    refs: [PROSODY_CERTS, XEP0178, DOCS],
    exampleEvidence: {
      ...PROSODY_AT,
      quote:
        'Forbidding insecure connection to/from example.com because its certificate could not be validated',
      server: 'Prosody',
      peer: 'example.com',
      reason: 'certificate could not be validated',
    },
  },
  'logs.s2s.secure-auth-no-cert': {
    severity: 'error',
    title: '{peer} sent no certificate, and {server} requires one (s2s_secure_auth)',
    symptom: 'Connections from {peer} are refused ({count} time(s); {file} line {line}: {quote}).',
    cause:
      'This server authenticates servers by certificate only (Prosody s2s_secure_auth = true, or {peer} in s2s_secure_domains), and {peer} presented no client certificate on its outgoing connection, so dialback is not accepted instead.',
    fix: 'Either {peer} presents its certificate on outgoing s2s connections (a certificate with the clientAuth usage, or one the server sends as a client), or this server allows dialback for it (Prosody: s2s_secure_auth = false, or add {peer} to s2s_insecure_domains).',
    refs: [PROSODY_S2S, XEP0178, DOCS],
    exampleEvidence: {
      ...PROSODY_AT,
      quote: 'No certificate provided by example.com',
      server: 'Prosody',
      peer: 'example.com',
    },
  },
  'logs.s2s.cert-tolerated': {
    severity: 'warning',
    title: 'The certificate of {peer} failed validation ({problem}); the session went on',
    symptom:
      '{file} line {line}: {quote} ({count} time(s)). Federation with {peer} works here only because dialback is accepted.',
    cause:
      'The certificate {peer} presents failed validation ({reason}); this server falls back to dialback, but peers that require certificates (s2s_secure_auth, Cisco Expressway in TLS-required mode) refuse it.',
    fix: '{peer} should fix its certificate; `xfed probe tls {peer}` shows what is wrong.',
    refs: [PROSODY_CERTS, XEP0178, DOCS],
    exampleEvidence: {
      ...PROSODY_AT,
      quote: 'certificate error(s) at depth 0: certificate has expired',
      peer: 'example.com',
      problem: 'expired',
      reason: 'certificate has expired',
    },
  },
  'logs.s2s.encryption-required': {
    severity: 'error',
    title: 'Encryption required, but {peer} did not offer or use it',
    symptom: 'Connections with {peer} fail ({count} time(s); {file} line {line}: {quote}).',
    cause:
      'This server requires TLS on s2s (Prosody s2s_require_encryption, ejabberd s2s_use_starttls: required) and {peer} offered no STARTTLS or did not use it.',
    fix: '{peer} must offer STARTTLS with a certificate (`xfed probe tls {peer}`); on Cisco Expressway-E, set the XMPP federation security mode to TLS required or optional instead of No TLS.',
    refs: [PROSODY_S2S, EJABBERD_S2S, DOCS],
    exampleEvidence: {
      ...PROSODY_AT,
      quote: 'Encrypted server-to-server communication is required but was not offered by example.com',
      peer: 'example.com',
    },
  },
  'logs.s2s.dns-failed': {
    severity: 'error',
    title: '{server} could not resolve {domain} ({query})',
    symptom:
      'Outgoing s2s to {domain} failed at DNS ({count} time(s); {file} line {line}: {quote}); stanzas to it bounce, and dialback from it cannot be verified.',
    cause:
      'The lookup of {query} (then the A/AAAA fallback of {domain}) failed: {reason}. The domain has no XMPP SRV record and no address, is misspelt, or this server\u2019s resolver cannot reach it.',
    fix: 'If {domain} should federate, it must publish _xmpp-server._tcp.{domain} (or an A/AAAA record for {domain}); check with `xfed check srv {domain}`, and check this server\u2019s resolver.',
    refs: [RFC6120_SRV, DOCS],
    exampleEvidence: {
      ...EJABBERD_AT,
      quote:
        'Failed to establish outbound s2s connection example.org -> example.com: DNS lookup failed: nxdomain',
      server: 'ejabberd',
      domain: 'example.com',
      query: '_xmpp-server._tcp.example.com',
      reason: 'DNS lookup failed: nxdomain',
    },
  },
  'logs.s2s.connect-refused': {
    severity: 'error',
    title: '{server}: connection to {domain} refused',
    symptom:
      'Outgoing s2s to {domain} failed: connection refused ({count} time(s); {file} line {line}: {quote}).',
    cause:
      'DNS gave an address for {domain}, but nothing listens on the XMPP server port there, or a firewall rejects it.',
    fix: 'Check the SRV target and port of {domain} (`xfed check srv {domain}`) and that its server listens and is reachable on that port (`xfed probe tls {domain}`).',
    refs: [RFC6120_SRV, DOCS],
    exampleEvidence: {
      ...PROSODY_AT,
      quote: 's2s connection attempt failed: connection refused',
      server: 'Prosody',
      domain: 'example.com',
    },
  },
  'logs.s2s.connect-timeout': {
    severity: 'error',
    title: '{server}: connection to {domain} timed out',
    symptom: 'Outgoing s2s to {domain} timed out ({count} time(s); {file} line {line}: {quote}).',
    cause:
      'Packets to {domain}\u2019s XMPP server are dropped (firewall, wrong address) or the server is down.',
    fix: 'Check the route and firewall towards {domain}\u2019s SRV target and port (`xfed probe tls {domain}`).',
    refs: [RFC6120_SRV, DOCS],
    exampleEvidence: {
      ...EJABBERD_AT,
      quote: 'Failed to establish outbound s2s connection … Connection failed: timeout',
      server: 'ejabberd',
      domain: 'example.com',
    },
  },
  'logs.s2s.connect-failed': {
    severity: 'error',
    title: '{server}: outgoing s2s connection to {domain} failed',
    symptom: 'Stanzas to {domain} bounced ({count} time(s); {file} line {line}: {quote}).',
    cause:
      'The connection to {domain} failed: {reason}. (At info level Prosody logs only the bounce; debug logging names the reason.)',
    fix: 'Run `xfed probe tls {domain}` and `xfed check srv {domain}` to see where it fails; raise the server log level to debug to log the reason.',
    refs: [PROSODY_S2S, DOCS],
    exampleEvidence: {
      ...PROSODY_AT,
      quote:
        'Sending error replies for 1 queued stanzas because of failed outgoing connection to example.com',
      server: 'Prosody',
      domain: 'example.com',
      reason: 'not logged',
    },
  },

  // --- The input itself ---
  'logs.input.unreadable': {
    severity: 'error',
    title: 'Could not read {source}',
    symptom: '{source}: {message}',
    cause: 'The path does not exist, is not readable by this user, or could not be opened.',
    fix: 'Check the path and permissions; pass files, directories, .tar.gz/.tgz/.zip bundles or - for stdin.',
    refs: [DOCS],
    exampleEvidence: { source: '/var/log/prosody/prosody.log', message: 'permission denied' },
  },
  'logs.input.truncated': {
    severity: 'warning',
    title: '{source} ends early: read up to the damage',
    symptom: '{source}: {message}',
    cause:
      'The archive or compressed file is truncated (an interrupted download or copy) or corrupt; lines before the damage were read.',
    fix: 'Download the diagnostic log again (Expressway: Maintenance > Diagnostics > Diagnostic logging > Download log) and rerun.',
    refs: [DOCS],
    exampleEvidence: {
      source: 'diagnostic_log.tar.gz',
      message: 'archive ends early (truncated or still being written): unexpected end of file',
    },
  },
  'logs.input.binary': {
    severity: 'info',
    title: '{source} is binary: skipped',
    symptom: '{source}: {message}',
    cause:
      'The file (or archive member) holds binary data such as a packet capture or a core file, not log lines.',
    fix: 'Nothing to do; packet captures (.pcap) are read with Wireshark.',
    refs: [DOCS],
    exampleEvidence: {
      source: 'diagnostic_log.tar.gz:tcpdump.pcap',
      message: 'binary data (a NUL byte in the first 4 KiB): not read as a log',
    },
  },
  'logs.input.not-a-file': {
    severity: 'warning',
    title: '{source} is not a regular file: skipped',
    symptom: '{source}: {message}',
    cause: 'Reading a FIFO, socket or device could block forever, so xfed does not open it by name.',
    fix: 'Pipe it in instead: `cat {source} | xfed logs -`.',
    refs: [DOCS],
    exampleEvidence: { source: '/tmp/fifo', message: 'not a regular file or directory' },
  },
  'logs.input.limit': {
    severity: 'warning',
    title: 'Reading stopped at a limit in {source}',
    symptom: '{source}: {message}',
    cause:
      'The input crossed one of xfed\u2019s limits (total size, archive members, nesting depth); the findings cover what was read before.',
    fix: 'Pass the relevant files only (for example the XCP and network logs of the time of the failure), or narrow with --since/--until.',
    refs: [DOCS],
    exampleEvidence: {
      source: 'bundle.tar.gz',
      message: 'more than 100000 archive members: reading stopped here',
    },
  },
  'logs.input.long-line': {
    severity: 'info',
    title: '{count} over-long line(s) shortened in {source}',
    symptom: '{source}: {message}',
    cause: 'A line was longer than xfed reads of one line; its beginning was read, the rest skipped.',
    fix: 'Nothing to do unless the interesting part is at the end of such a line.',
    refs: [DOCS],
    exampleEvidence: {
      source: 'big.log',
      count: 1,
      message: 'line 7 is longer than 65536 bytes; only its first 65536 bytes were read',
    },
  },
  'logs.input.nothing-recognised': {
    severity: 'warning',
    title: 'No Expressway, XCP, Prosody or ejabberd log line recognised',
    symptom: 'Read {lines} line(s) from {sources} source(s); none belongs to a known log family.',
    cause:
      'These are not the server logs xfed reads (for example an access log or a packet dump as text), or their format is one xfed does not know yet.',
    fix: 'Pass the Expressway diagnostic log bundle, the Prosody log (log = { debug = "…" } for detail) or ejabberd.log; docs/logs.md lists the formats.',
    refs: [DOCS],
    exampleEvidence: { lines: 120, sources: 1 },
  },
});
