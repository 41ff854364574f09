/**
 * Catalog: findings of area 'dialback' (Server Dialback, XEP-0220; keys per XEP-0185; the
 * IQ ping of XEP-0199 that proves the route afterwards). IDs are forever (report contract,
 * "Finding IDs").
 */
import { defineCatalog } from './types.js';

const XEP0220 = 'https://xmpp.org/extensions/xep-0220.html';
const XEP0185 = 'https://xmpp.org/extensions/xep-0185.html';
const XEP0199 = 'https://xmpp.org/extensions/xep-0199.html';
const XEP0344 = 'https://xmpp.org/extensions/xep-0344.html';
const XEP0178 = 'https://xmpp.org/extensions/xep-0178.html';
const RFC6120_ERRORS = 'https://www.rfc-editor.org/rfc/rfc6120#section-4.9.3';
const RFC6120_RESOLUTION = 'https://www.rfc-editor.org/rfc/rfc6120#section-3.2';
const CISCO_TAC =
  'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/213865-configure-and-troubleshoot-xmpp-federati.html';

/** Evidence shared by the handshake findings. */
const HANDSHAKE = { peer: 'example.org', our: 'chat.example.net', endpoint: 'xmpp.example.org:5269' };
/** Evidence of a dialback error answer. */
const ERROR_ANSWER = {
  ...HANDSHAKE,
  errorType: 'cancel',
  text: '(none)',
  callbacks: 0,
  listen: '0.0.0.0:5269',
};

export const dialbackCatalog = defineCatalog({
  // --- the listener (xfed as the authoritative server of our domain) ---
  'dialback.listener.bind-failed': {
    severity: 'error',
    title: 'xfed cannot listen on {listen} for the callback ({code})',
    symptom: 'The dialback test did not start: without a listener, {peer} has nobody to call back.',
    cause: 'Binding {listen} failed with {code} ({message}). {reason}',
    fix: '{advice}',
    refs: [XEP0220],
    exampleEvidence: {
      listen: '0.0.0.0:5269',
      code: 'EACCES',
      message: 'permission denied',
      reason: 'Ports below 1024 need root or CAP_NET_BIND_SERVICE.',
      advice:
        'Run xfed as root or with CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep on node), or pick another port with --listen <ip:port> and point the SRV record of chat.example.net at it.',
      peer: 'example.org',
      our: 'chat.example.net',
    },
  },
  'dialback.listener.port-in-use': {
    severity: 'error',
    title: 'xfed cannot listen on {listen}: the port is in use ({holder})',
    symptom: 'The dialback test did not start: without a listener, {peer} has nobody to call back.',
    cause:
      'Binding {listen} failed with EADDRINUSE: {holder} already listens on port {port}{wildcard}. Being root does not help; two sockets cannot both listen on the same address and port.',
    fix: 'Listen on one specific address the holder does not use: --listen <ip>:{port} with an IP of this machine to which _xmpp-server._tcp.{our} points (as seen by {peer}), e.g. a second address for the test (this works when the holder is bound to specific addresses, not to a wildcard); or stop {holder} for the duration of the test. With --listen on another port, point the SRV record of {our} at that port.',
    refs: [XEP0220],
    exampleEvidence: {
      listen: '0.0.0.0:5269',
      port: 5269,
      holder: 'prosody (pid 812) on 0.0.0.0:5269',
      wildcard: ' (0.0.0.0 covers every IPv4 address of the machine)',
      peer: 'example.org',
      our: 'chat.example.net',
    },
  },
  'dialback.listener.no-tls': {
    severity: 'warning',
    title: 'The callback listener offers no STARTTLS (no --cert/--key)',
    symptom:
      'Peers that require TLS (Prosody and ejabberd defaults, Cisco Expressway-E security mode "TLS required") refuse to call back, so the handshake fails for a reason that is not theirs.',
    cause:
      'xfed was started without --cert and --key, so the listener on {listen} cannot offer STARTTLS to {peer}\u2019s callback.',
    fix: 'Give the certificate and key of {our} (PEM): xfed dialback {peer} --as {our} --cert {our}.crt --key {our}.key. The certificate should name {our} and chain to a CA {peer} trusts.',
    refs: [XEP0220, 'https://www.rfc-editor.org/rfc/rfc6120#section-5'],
    exampleEvidence: { listen: '0.0.0.0:5269', peer: 'example.org', our: 'chat.example.net' },
  },

  'dialback.our-cert.name-mismatch': {
    severity: 'warning',
    title: 'The certificate given with --cert does not name {our}',
    symptom:
      'Peers that check the certificate of {our} refuse the callback and every connection from {our} (Prosody with s2s_secure_auth: stream error not-authorized "Your server\u2019s certificate is not valid for this name"), and none can authenticate {our} by certificate (SASL EXTERNAL). Lenient peers still accept dialback, so a passing run against {peer} does not prove that the certificate is right.',
    cause:
      'xfed presents {file} (subject {subject}) as the certificate of {our}: on the listener\u2019s STARTTLS, where {peer}\u2019s callback checks it, and as client certificate on outgoing streams. It presents {names}, but none of them is {our} as a DNS-ID (dNSName), an SRV-ID (_xmpp-server.{our}) or an XmppAddr; a certificate must name the XMPP domain itself, not only the host its SRV record points at (RFC 6120 §13.7.1.2, XEP-0178).',
    fix: 'Give the certificate and key of {our}: one whose subjectAltName contains DNS:{our} (a wildcard *.parent covers one label only). Check with: openssl x509 -in {file} -noout -subject -ext subjectAltName. Then rerun xfed dialback {peer} --as {our} --cert <that file> --key <its key>.',
    refs: ['https://www.rfc-editor.org/rfc/rfc6120#section-13.7.1.2', XEP0178],
    exampleEvidence: {
      our: 'chat.example.net',
      peer: 'example.org',
      file: 'chat.crt',
      subject: 'CN=xmpp.example.net',
      names: ['DNS:xmpp.example.net'],
    },
  },

  // --- the dialback offer ---
  'dialback.feature.not-offered': {
    severity: 'error',
    title: '{endpoint} does not offer dialback',
    symptom:
      'Servers without a certificate {peer} accepts cannot federate with it ("No SASL EXTERNAL offer and Dialback doesn\u2019t seem to be enabled").',
    cause:
      'The stream features from {endpoint} (after TLS: {tls}) do not include dialback (urn:xmpp:features:dialback); offered: {features}. The server has dialback disabled and accepts only certificate authentication (SASL EXTERNAL, XEP-0178), if anything.',
    fix: 'On {peer}: enable dialback (Prosody: "dialback" in modules_enabled; ejabberd: mod_s2s_dialback), or accept that only peers with a certificate it trusts can federate and give {our} such a certificate.',
    refs: [XEP0220, XEP0178],
    exampleEvidence: { ...HANDSHAKE, tls: true, features: ['{urn:ietf:params:xml:ns:xmpp-sasl}mechanisms'] },
  },
  'dialback.stream.missing-id': {
    severity: 'error',
    title: '{endpoint} sent a stream header without an id',
    symptom:
      'Dialback with {peer} cannot work: the key is bound to the stream id, and Prosody closes such streams ("Missing stream ID").',
    cause:
      'The response stream header from {endpoint} has no id attribute (RFC 6120 §4.7.3 requires one); XEP-0185 keys and db:verify need it.',
    fix: 'Fix or upgrade the server (or the proxy in front of it) at {endpoint} so that every response stream header carries a fresh id.',
    refs: ['https://www.rfc-editor.org/rfc/rfc6120#section-4.7.3', XEP0185],
    exampleEvidence: HANDSHAKE,
  },

  // --- the peer's answer to our db:result (XEP-0220 §2.1.4) ---
  'dialback.result.valid': {
    severity: 'info',
    title: 'Dialback {our} \u2192 {peer} works ({totalMs} ms)',
    symptom: '{peer} accepts stanzas from {our} over {endpoint}.',
    cause:
      '{peer} checked xfed\u2019s key for {our} and answered valid after {resultMs} ms. Callback: {callback}. Steps: {steps}.',
    fix: 'Nothing to do for this direction.',
    refs: [XEP0220, XEP0344],
    exampleEvidence: {
      ...HANDSHAKE,
      totalMs: 412,
      resultMs: 160,
      callback: '203.0.113.5:40312 sent db:verify at once (ejabberd style), answered valid',
      steps: ['dns 12 ms', 'connect 30 ms', 'tls 61 ms', 'callback +95 ms', 'result 160 ms'],
    },
  },
  'dialback.result.invalid': {
    severity: 'error',
    title: '{peer} answered invalid to dialback from {our}',
    symptom:
      '{peer} refuses everything from {our} ("dialback authentication failed"); messages from {our} to {peer} bounce.',
    cause:
      '{peer} says the key did not verify. What xfed\u2019s listener saw: {callback}. If xfed answered valid but {peer} still says invalid, {peer} reached a different authoritative server for {our} (another node of a cluster with another dialback secret, or an old DNS entry).',
    fix: 'Make sure {our} resolves, from {peer}\u2019s side, only to servers that share one dialback secret (Prosody: dialback_secret on every node; ejabberd: one Erlang cookie per cluster; Cisco Expressway-E: the same dialback secret on every peer), then retry.',
    refs: [XEP0220, XEP0185, CISCO_TAC],
    exampleEvidence: { ...HANDSHAKE, callback: 'no callback reached the listener' },
  },
  'dialback.result.timeout': {
    severity: 'error',
    title: '{peer} verified the key with xfed but never answered the db:result',
    symptom: 'Sessions from {our} to {peer} hang, then stanzas bounce with remote-server-timeout.',
    cause:
      '{peer} called back ({callback}) but sent no db:result answer on the stream to {endpoint} within {timeoutMs} ms.',
    fix: 'Look at {peer}\u2019s log at the time of the test for the dialback of {our}; a cluster may have answered on another node, or the server is overloaded. Retry with a longer --callback-timeout.',
    refs: [XEP0220],
    exampleEvidence: {
      ...HANDSHAKE,
      timeoutMs: 30000,
      callback: '203.0.113.5:40312 db:verify answered valid',
    },
  },
  'dialback.result.closed': {
    severity: 'error',
    title: '{peer} closed the stream instead of answering the db:result',
    symptom: 'Connections from {our} to {peer} are dropped right after dialback starts.',
    cause:
      'After db:result, {endpoint} closed the stream ({closedBy}) without an answer. What xfed\u2019s listener saw: {callback}.',
    fix: 'Check {peer}\u2019s log at the time of the test: dialback may be disabled for {our}, or the server gives up when the callback fails.',
    refs: [XEP0220],
    exampleEvidence: { ...HANDSHAKE, closedBy: 'eof', callback: 'no callback reached the listener' },
  },
  'dialback.result.remote-server-not-found': {
    severity: 'error',
    title: '{peer} could not find {our}\u2019s authoritative server (remote-server-not-found)',
    symptom:
      'Messages from {our} to {peer} bounce; {peer}\u2019s log shows a DNS or connect failure for {our} (ejabberd: "DNS lookup failed", "Connection failed").',
    cause:
      '{peer} tried to call back {our} to verify the key and failed (peer text: {text}); {callbacks} connection(s) reached xfed\u2019s listener on {listen}. From here {our} resolves to {ourTargets}. Most often {our} has no _xmpp-server._tcp SRV record (or A record) visible from {peer}\u2019s side, or it points elsewhere, or a firewall blocks port 5269 inbound.',
    fix: 'Publish _xmpp-server._tcp.{our}. SRV 5 0 <port> <host> pointing at the address of the server (here: xfed\u2019s listener {listen}), make it resolvable from the Internet (not only internally), and open that port inbound. Check with: xfed check srv {our}.',
    refs: [XEP0220, RFC6120_RESOLUTION, CISCO_TAC],
    exampleEvidence: {
      ...ERROR_ANSWER,
      condition: 'remote-server-not-found',
      ourTargets: ['xmpp.example.net 198.51.100.7:5269'],
    },
  },
  'dialback.result.remote-connection-failed': {
    severity: 'error',
    title: '{peer} could not connect to {our}\u2019s authoritative server (remote-connection-failed)',
    symptom: 'Messages from {our} to {peer} bounce; {peer} logs a connection failure towards {our}.',
    cause:
      '{peer} found an address for {our} but could not connect to it to verify the key (peer text: {text}); {callbacks} connection(s) reached xfed\u2019s listener on {listen}. From here {our} resolves to {ourTargets}.',
    fix: 'Open the port of {our}\u2019s server (5269 unless the SRV record says otherwise) inbound from {peer}, check NAT/port forwarding to {listen}, and make sure the SRV record points at that public address.',
    refs: [XEP0220, CISCO_TAC],
    exampleEvidence: {
      ...ERROR_ANSWER,
      condition: 'remote-connection-failed',
      ourTargets: ['xmpp.example.net 198.51.100.7:5269'],
    },
  },
  'dialback.result.remote-server-timeout': {
    severity: 'error',
    title: '{peer} gave up waiting for {our}\u2019s authoritative server (remote-server-timeout)',
    symptom: 'Messages from {our} to {peer} bounce after a delay with remote-server-timeout.',
    cause:
      'The callback of {peer} to {our} did not complete (peer text: {text}); {callbacks} connection(s) reached xfed\u2019s listener on {listen}. A firewall that drops instead of rejecting, a TLS problem on the callback, or an authoritative server that closes without answering all look like this.',
    fix: 'Check that {peer} can complete a TLS connection to {listen} (firewall, certificate of {our} trusted by {peer}), then retry.',
    refs: [XEP0220],
    exampleEvidence: { ...ERROR_ANSWER, condition: 'remote-server-timeout' },
  },
  'dialback.result.item-not-found': {
    severity: 'error',
    title: '{peer} says it does not serve {peer} (item-not-found)',
    symptom: 'Messages from {our} to {peer} bounce although the connection works.',
    cause:
      'The server at {endpoint} answered the db:result for {peer} with item-not-found (peer text: {text}): that domain is not hosted there (XEP-0220 §2.5).',
    fix: 'Add {peer} to the configuration of the server at {endpoint} (Prosody VirtualHost, ejabberd hosts), or point _xmpp-server._tcp.{peer} at the server that hosts it.',
    refs: [XEP0220],
    exampleEvidence: { ...ERROR_ANSWER, condition: 'item-not-found' },
  },
  'dialback.result.not-allowed': {
    severity: 'error',
    title: '{peer} refused dialback for {peer} (not-allowed)',
    symptom: 'Messages from {our} to {peer} bounce; ejabberd logs "Host unknown".',
    cause:
      'The server at {endpoint} answered the db:result with not-allowed (peer text: {text}). ejabberd sends this when the target domain is not one of its hosts.',
    fix: 'Check that {peer} is in the hosts of the server at {endpoint} (ejabberd: hosts:; then ejabberdctl reload_config), or point _xmpp-server._tcp.{peer} at the right server.',
    refs: [XEP0220],
    exampleEvidence: { ...ERROR_ANSWER, condition: 'not-allowed', text: 'Host unknown' },
  },
  'dialback.result.policy-violation': {
    severity: 'error',
    title: '{peer} refused dialback by local policy (policy-violation)',
    symptom: 'Messages from {our} to {peer} bounce; {peer}\u2019s log names a policy.',
    cause:
      'The server at {endpoint} answered the db:result with policy-violation (peer text: {text}): it requires TLS before dialback (XEP-0220 §2.5) or another local rule forbids {our}.',
    fix: 'Use STARTTLS towards {peer} (xfed does when offered), and ask {peer}\u2019s admin whether {our} is blocked or needs to be on an allow list (Cisco Expressway-E privacy mode).',
    refs: [XEP0220],
    exampleEvidence: { ...ERROR_ANSWER, condition: 'policy-violation' },
  },
  'dialback.result.not-authorized': {
    severity: 'error',
    title: '{peer} requires certificate authentication from {our} (not-authorized)',
    symptom: 'Messages from {our} to {peer} bounce; {peer} accepts only servers whose certificate it trusts.',
    cause:
      'The server at {endpoint} answered the db:result with not-authorized (peer text: {text}): it wants a valid certificate (or POSH) for {our} and did not get one (XEP-0220 §2.5).',
    fix: 'Give {our} a certificate from a CA {peer} trusts that names {our} (dNSName, or SRVName _xmpp-server.{our}), with clientAuth in its extended key usage; or ask {peer} to allow dialback for {our} (Prosody: s2s_insecure_domains).',
    refs: [XEP0220, XEP0178],
    exampleEvidence: { ...ERROR_ANSWER, condition: 'not-authorized' },
  },
  'dialback.result.forbidden': {
    severity: 'error',
    title: '{peer} refused {our} (forbidden)',
    symptom: 'Messages from {our} to {peer} bounce.',
    cause:
      'The server at {endpoint} answered the db:result with forbidden (peer text: {text}): the authoritative answer was invalid, or its access policy (ejabberd s2s_access: "Access denied by service policy") refuses {our}. What xfed\u2019s listener saw: {callback}.',
    fix: 'Ask {peer}\u2019s admin to allow {our} (ejabberd s2s_access / mod_s2s_dialback access; Cisco Expressway-E allow list); if the callback was answered invalid, see dialback.result.invalid.',
    refs: [XEP0220],
    exampleEvidence: {
      ...ERROR_ANSWER,
      condition: 'forbidden',
      callback: 'no callback reached the listener',
    },
  },
  'dialback.result.error': {
    severity: 'error',
    title: '{peer} answered the db:result with an error ({condition})',
    symptom: 'Messages from {our} to {peer} bounce with "{condition}".',
    cause:
      'The server at {endpoint} answered the db:result with type error, condition {condition} (type {errorType}, peer text: {text}). {callbacks} connection(s) reached xfed\u2019s listener on {listen}.',
    fix: 'Look {condition} up in XEP-0220 §2.5 and check {peer}\u2019s log at the time of the test.',
    refs: [XEP0220],
    exampleEvidence: { ...ERROR_ANSWER, condition: 'resource-constraint' },
  },

  // --- the peer's callback to xfed's listener (XEP-0220 §2.1.2) ---
  'dialback.callback.starttls-unavailable': {
    severity: 'error',
    title: '{peer} called back needing STARTTLS, which xfed cannot offer without --cert/--key',
    symptom:
      'The handshake cannot complete: {peer} (like Prosody, ejabberd and jabberd2 in their default settings) insists on TLS on the callback, so it would time out waiting, and xfed stopped at once instead.',
    cause:
      'The callback from {remote} reached the listener on {listen} and {how}: the listener has no certificate for {our}, and {peer} will not verify the key of {our} without TLS. This is xfed\u2019s setup, not a fault of {peer}.',
    fix: 'Rerun with the certificate and key of {our} (PEM): xfed dialback {peer} --as {our} --cert {our}.crt --key {our}.key (a certificate that names {our} and chains to a CA {peer} trusts).',
    refs: [XEP0220, 'https://www.rfc-editor.org/rfc/rfc6120#section-5'],
    exampleEvidence: {
      ...HANDSHAKE,
      remote: '203.0.113.5:40312',
      listen: '0.0.0.0:5269',
      how: 'sent <starttls/>; the listener has no certificate and answered <failure/>',
    },
  },
  'dialback.callback.closed-after-tls': {
    severity: 'error',
    title: '{peer} closed {count} callbacks right after TLS without sending anything',
    symptom:
      'Dialback from {our} to {peer} cannot complete: {peer} reconnects and gives up again and again (jabberd2 logs a stream of "outgoing connection" / "disconnect, packets: 0" lines). xfed stopped early instead of letting it loop, and accepted at most {maxSessions} connections ({refused} refused).',
    cause:
      '{count} connections from {peer} to the listener on {listen} completed the TLS handshake and then closed, or went silent until the listener closed them, before sending the restarted stream header ({remotes}). The peer gave up on the TLS session itself: {why}',
    fix: '{fix}',
    refs: [XEP0220, 'https://www.rfc-editor.org/rfc/rfc6120#section-5.4.3.3'],
    exampleEvidence: {
      ...HANDSHAKE,
      count: 3,
      listen: '0.0.0.0:5269',
      maxSessions: 24,
      refused: 0,
      remotes: ['203.0.113.5:40312', '203.0.113.5:40314', '203.0.113.5:40316'],
      why: 'it did not accept the certificate xfed presented for chat.example.net (some servers check it only after the handshake and drop the connection without an alert).',
      fix: 'Check that the certificate given with --cert names chat.example.net and chains, with its intermediates, to a CA example.org trusts; look at example.org\u2019s log for the reason.',
    },
  },
  'dialback.callback.peer-key-rejected': {
    severity: 'error',
    title:
      '{peer}\u2019s own authoritative server rejected {peer}\u2019s own dialback key (secret not shared between its nodes)',
    symptom:
      'Federation is one-way or fails: {peer} can verify {our}, but every connection from {peer} to {our} is refused, so replies, presence and messages from {peer} never arrive (Cisco XCP logs "dialback failed" for the incoming side; Prosody "Dialback verification failed").',
    cause:
      '{peer} connected to the listener ({remote}) and sent its own db:result. xfed, as {our}\u2019s receiving server, asked {peer}\u2019s authoritative server at {authority} (where {peer}\u2019s DNS points) to verify it, and that server answered invalid: the node that generated the key and the node that answers for {peer} compute keys with different dialback secrets. xfed stopped {stopMs} ms after the db:result instead of waiting for the timeout.',
    fix: 'On {peer}\u2019s side: give every node that sends or answers dialback for {peer} the same dialback secret, then restart them. Prosody: the same dialback_secret on every instance; ejabberd: one cluster (the key comes from the shared Erlang cookie); jabberd2 / Cisco XCP: the same <local><secret> in every s2s.xml; Cisco Expressway: the same "Dialback secret" (Configuration > Unified Communications) on every Expressway-E cluster peer. Nothing on {our}\u2019s side causes this.',
    refs: [XEP0220, XEP0185, CISCO_TAC],
    exampleEvidence: {
      ...HANDSHAKE,
      remote: '203.0.113.5:40312',
      authority: 'xmpp2.example.org:5269',
      stopMs: 54,
    },
  },
  'dialback.callback.timeout': {
    severity: 'error',
    title: '{peer} never called back {our} within {timeoutMs} ms',
    symptom:
      'Messages from {our} to {peer} queue and then bounce with remote-server-timeout; Cisco XCP logs "Scheduling dialback timeout in 30 secs." and nothing after it.',
    cause:
      'After the db:result, no connection from {peer} reached xfed\u2019s listener on {listen} within {timeoutMs} ms (the wait ended: {endedBy}). From here {our} resolves to {ourTargets}: if that is not where the listener is, or {peer} sees other DNS (split horizon), or a firewall drops port 5269 inbound, the callback goes nowhere.',
    fix: 'Both sides can cause it. On {our}\u2019s side: make _xmpp-server._tcp.{our} point, as seen from the Internet, at the address and port where the listener runs ({listen}), open that port inbound, and check with xfed check srv {our} --resolver <a public resolver>. On {peer}\u2019s side: its resolver must find {our} (jabberd2 logs "dns lookup for {our} failed", Prosody "Failed to resolve", ejabberd "DNS lookup failed"; private or split DNS, a resolver that refuses .{ourTld} or an outage), and its outbound firewall must allow TCP to {our}\u2019s port 5269. Then retry.',
    refs: [XEP0220, RFC6120_RESOLUTION, CISCO_TAC],
    exampleEvidence: {
      ...HANDSHAKE,
      timeoutMs: 30000,
      endedBy: 'xfed stopped waiting (--callback-timeout)',
      listen: '0.0.0.0:5269',
      ourTargets: ['xmpp.example.net 198.51.100.7:5269'],
      ourTld: 'net',
    },
  },
  'dialback.callback.tls-failed': {
    severity: 'error',
    title: 'The callback from {remote} failed in TLS ({alert})',
    symptom: '{peer} cannot verify {our}\u2019s key, so it refuses or bounces everything from {our}.',
    cause:
      '{peer} reached the listener on {listen} from {remote} and started TLS, but the handshake failed: {alert} ({message}). "unknown ca", "bad certificate" or "certificate unknown" mean {peer} does not trust the certificate xfed presented for {our} ({certSubject}); "protocol version" or "handshake failure" mean no common TLS version or cipher.',
    fix: 'Present a certificate for {our} that {peer} trusts (public CA, or import your CA on {peer}: Prosody ssl.cafile, ejabberd ca_file, Cisco trust store), containing {our} as dNSName, with the intermediates; for version or cipher mismatches, enable TLS 1.2+ with common ciphers on both sides.',
    refs: [XEP0220, 'https://www.rfc-editor.org/rfc/rfc6120#section-5'],
    exampleEvidence: {
      ...HANDSHAKE,
      remote: '203.0.113.5:40312',
      listen: '0.0.0.0:5269',
      alert: 'unknown ca',
      message: 'tlsv1 alert unknown ca',
      certSubject: 'CN=chat.example.net',
    },
  },
  'dialback.callback.reverse-failed': {
    severity: 'error',
    title: '{peer} called back, but its own key could not be verified, so it never asked about ours',
    symptom:
      'Dialback from {our} to {peer} never completes: Prosody-style servers authenticate their own connection to {our} before they send the db:verify.',
    cause:
      '{peer} connected to the listener and sent its own db:result for {from}. xfed, acting as {our}\u2019s receiving server, asked {from}\u2019s authoritative server to verify it: {verification}. xfed answered {answer}, and {peer} gave up.',
    fix: 'This is {peer}\u2019s authoritative side failing: check "xfed dialback verify {from} --as {our}" and the DNS of {from} (xfed check srv {from}); a cluster with different dialback secrets per node also causes it.',
    refs: [XEP0220],
    exampleEvidence: { ...HANDSHAKE, from: 'example.org', verification: 'invalid', answer: 'invalid' },
  },
  'dialback.callback.no-verify': {
    severity: 'error',
    title: '{peer} connected to the listener but never asked to verify the key',
    symptom: 'Dialback from {our} to {peer} stalls.',
    cause:
      '{callbacks} connection(s) from {peer} reached the listener on {listen} ({sessions}), but none carried a db:verify for {our}.',
    fix: 'Look at the transcript (--transcript) for what the peer sent, and at {peer}\u2019s log for the dialback of {our}.',
    refs: [XEP0220],
    exampleEvidence: {
      ...HANDSHAKE,
      callbacks: 1,
      listen: '0.0.0.0:5269',
      sessions: ['203.0.113.5:40312 closed by the peer'],
    },
  },
  'dialback.callback.key-mismatch': {
    severity: 'error',
    title: '{peer} asked to verify a key xfed did not issue',
    symptom: 'Dialback from {our} to {peer} fails with invalid.',
    cause:
      'The db:verify from {remote} carried a key that does not match the XEP-0185 key for ({from}, {to}, id {id}) under this run\u2019s secret; the id {idNote}. {peer} altered the key or the stream id, or mixed up two connections.',
    fix: 'Report it to {peer}\u2019s admin with the transcript (--transcript): an authoritative server must receive the key exactly as it was sent.',
    refs: [XEP0220, XEP0185],
    exampleEvidence: {
      ...HANDSHAKE,
      remote: '203.0.113.5:40312',
      from: 'example.org',
      to: 'chat.example.net',
      id: 'a1b2c3',
      idNote: 'is the id of the originating stream',
    },
  },

  // --- stream errors in answer to a dialback request ---
  'dialback.stream.not-authorized': {
    severity: 'error',
    title: '{endpoint} refused dialback from {our} (stream error not-authorized)',
    symptom:
      '{peer} drops every connection from {our}; Prosody logs "dialback authentication failed" or a certificate complaint.',
    cause:
      'In answer to the {step}, the server at {endpoint} closed the stream with not-authorized (peer text: {text}): it requires certificate authentication (Prosody s2s_secure_auth), or dialback is disabled or not allowed for {our}.',
    fix: 'Give {our} a certificate {peer} trusts (so SASL EXTERNAL works, XEP-0178), or ask {peer}\u2019s admin to allow dialback for {our} (Prosody: s2s_insecure_domains, keep mod_dialback enabled).',
    refs: [RFC6120_ERRORS, XEP0220, XEP0178],
    exampleEvidence: {
      ...HANDSHAKE,
      step: 'db:result',
      text: 'Your server\u2019s certificate is not trusted',
    },
  },
  'dialback.stream.policy-violation': {
    severity: 'error',
    title: '{endpoint} refused dialback from {our} by policy (stream error policy-violation)',
    symptom: '{peer} drops every connection from {our}.',
    cause:
      'In answer to the {step}, the server at {endpoint} closed the stream with policy-violation (peer text: {text}): dialback over an unencrypted stream, a domain on a block list, or an allow list without {our} (Cisco Expressway-E privacy mode).',
    fix: 'Use TLS (give xfed --cert/--key so the callback can be secured too) and ask {peer}\u2019s admin to allow {our}.',
    refs: [RFC6120_ERRORS, XEP0220],
    exampleEvidence: {
      ...HANDSHAKE,
      step: 'db:result',
      text: 'Encrypted server-to-server communication is required but was not used',
    },
  },

  // --- the IQ ping after a valid result (XEP-0199) ---
  'dialback.ping.ok': {
    severity: 'info',
    title: '{peer} answered the ping ({type}) in {durationMs} ms',
    symptom: 'Stanzas flow both ways between {our} and {peer}.',
    cause:
      'The reply to the IQ ping arrived via {via} after {durationMs} ms (type {type}, condition {condition}). Any reply, even an error such as service-unavailable, proves that {peer} can route stanzas back to {our}.',
    fix: 'Nothing to do.',
    refs: [XEP0199],
    exampleEvidence: {
      ...HANDSHAKE,
      type: 'result',
      condition: '(none)',
      via: 'the peer\u2019s own connection to the listener',
      durationMs: 85,
    },
  },
  'dialback.ping.error': {
    severity: 'error',
    title: '{peer} answered the ping with {condition}',
    symptom: 'Stanzas from {our} reach {peer}, but replies fail.',
    cause:
      'The reply to the IQ ping was an error with condition {condition} (type {type}, peer text: {text}): {peer} could not route the reply back to {our}.',
    fix: 'Run xfed dialback {our} --as {peer} from {peer}\u2019s side, or check that {peer} can reach {our} (DNS and port 5269 inbound).',
    refs: [XEP0199, XEP0220],
    exampleEvidence: { ...HANDSHAKE, condition: 'remote-server-not-found', type: 'cancel', text: '(none)' },
  },
  'dialback.ping.no-reply': {
    severity: 'error',
    title: '{peer} accepted {our} but never answered the ping (one-way federation)',
    symptom:
      'Messages from {our} reach {peer}, but nothing comes back: replies, presence and messages from {peer} to {our} are lost (the classic "one-way IM").',
    cause:
      'Dialback {our} \u2192 {peer} succeeded, but no reply to the IQ ping arrived within {timeoutMs} ms ({outcome}). A reply needs {peer}\u2019s own connection to {our}: {reverse}.',
    fix: 'Check the direction {peer} \u2192 {our}: {our}\u2019s DNS as seen by {peer}, port 5269 inbound, and {peer}\u2019s log for its outgoing connection to {our}.',
    refs: [XEP0199, XEP0220],
    exampleEvidence: {
      ...HANDSHAKE,
      timeoutMs: 30000,
      outcome: 'timeout',
      reverse: 'no connection from the peer reached the listener',
    },
  },

  // --- xfed dialback verify (the safe probe) ---
  'dialback.verify.invalid': {
    severity: 'info',
    title: '{peer}\u2019s authoritative server answers db:verify ({durationMs} ms)',
    symptom:
      'Servers that receive dialback keys claiming {peer} can reach its authoritative server and get an answer.',
    cause:
      '{endpoint} answered the db:verify with a random key as it must: type invalid, after {durationMs} ms (key echoed: {keyEchoed}). This shows the authoritative server of {peer} is reachable and answers; it cannot show that it validates {peer}\u2019s own keys (a server that answers invalid to everything, or whose nodes have different dialback secrets, answers the same).',
    fix: 'Nothing to do here. To check that {peer}\u2019s keys are really accepted (both directions, every step), run the full handshake: xfed dialback {peer} --as {our} --cert <cert of {our}> --key <its key>.',
    refs: [XEP0220],
    exampleEvidence: { ...HANDSHAKE, durationMs: 42, keyEchoed: false },
  },
  'dialback.verify.valid': {
    severity: 'error',
    title: '{endpoint} validated a random dialback key',
    symptom: 'Anyone can impersonate {peer} towards servers that verify keys with it.',
    cause:
      '{endpoint} answered type valid to a db:verify whose key xfed made up at random. Its authoritative server accepts any key, so dialback for {peer} proves nothing.',
    fix: 'Fix or replace the server software at {endpoint} at once; until then, peers should require certificate authentication (XEP-0178) for {peer}.',
    refs: [XEP0220, XEP0185],
    exampleEvidence: HANDSHAKE,
  },
  'dialback.verify.error': {
    severity: 'error',
    title: '{endpoint} answered db:verify with an error ({condition})',
    symptom:
      'Servers cannot verify dialback keys of {peer}, so connections from {peer} are refused (remote-server-not-found on their side).',
    cause:
      '{endpoint} answered the db:verify with type error, condition {condition} (type {errorType}, peer text: {text}). item-not-found means it does not consider itself authoritative for {peer}.',
    fix: 'Check that the server at {endpoint} hosts {peer} and has dialback enabled; look {condition} up in XEP-0220 §2.5.',
    refs: [XEP0220],
    exampleEvidence: { ...HANDSHAKE, condition: 'item-not-found', errorType: 'cancel', text: '(none)' },
  },
  'dialback.verify.timeout': {
    severity: 'error',
    title: '{endpoint} never answered the db:verify within {timeoutMs} ms',
    symptom: 'Servers that verify keys of {peer} wait and give up; connections from {peer} are refused.',
    cause:
      'The stream to {endpoint} was open, but no answer to the db:verify came within {timeoutMs} ms. Elements received that did not answer it (another from, to or id; dropped, as XEP-0220 §2.3 requires): {ignored}.',
    fix: 'Check {peer}\u2019s server log for the db:verify; check that dialback is enabled and the server is not overloaded. If elements were dropped, look at them with --transcript: an answer must carry the from, to and id of the request.',
    refs: [XEP0220, CISCO_TAC],
    exampleEvidence: { ...HANDSHAKE, timeoutMs: 10000, ignored: 0 },
  },
  'dialback.verify.closed': {
    severity: 'error',
    title: '{endpoint} closed the stream instead of answering the db:verify',
    symptom: 'Servers cannot verify dialback keys of {peer}; connections from {peer} are refused.',
    cause: '{endpoint} ended the stream ({closedBy}) after the db:verify, without an answer.',
    fix: 'Check {peer}\u2019s log for the reason; dialback may be disabled, or the server may refuse db:verify from {our}.',
    refs: [XEP0220],
    exampleEvidence: { ...HANDSHAKE, closedBy: '</stream:stream>' },
  },
  'dialback.verify.impersonation-notice': {
    severity: 'info',
    title: '{peer} may log this probe as an impersonation attempt',
    symptom:
      'The admin of {peer} may see a warning such as Prosody\u2019s "Asked to verify a dialback key that was incorrect. An imposter is claiming to be {peer}?".',
    cause:
      'xfed sent a db:verify for {peer} with a random key on purpose (id {id}); to {peer} it looks like someone presenting a forged key.',
    fix: 'Nothing to fix. Tell {peer}\u2019s admin about the test if they monitor such warnings.',
    refs: [XEP0220],
    exampleEvidence: { ...HANDSHAKE, id: '5f3a9c1e' },
  },

  // --- xfed dialback key (offline forensics) ---
  'dialback.key.computed': {
    severity: 'info',
    title: 'Dialback keys for {receiving} / {originating} / {streamId}',
    symptom: 'These are the keys a server with this secret sends and expects for this stream.',
    cause:
      'XEP-0185 (HMAC-SHA256, Prosody, ejabberd, Openfire): {xep0185}. jabberd SHA-1 chain (jabberd 1.x/2.x lineage): {jabberd}. Secret: {secretLength} characters.',
    fix: 'Compare with the key in the log (pass it with --key to let xfed compare).',
    refs: [XEP0185],
    exampleEvidence: {
      receiving: 'montague.example',
      originating: 'capulet.example',
      streamId: 'D60000229F',
      xep0185: 'b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3',
      jabberd: '0040a0be8a26a12b82a73b16d4c7fd0353ed8dbd',
      secretLength: 17,
    },
  },
  'dialback.key.match-xep0185': {
    severity: 'info',
    title: 'The key matches XEP-0185 with this secret',
    symptom: 'The logged key was made by a server that holds this secret.',
    cause:
      'HMAC-SHA256 keyed by SHA-256(secret) as hex, over "{receiving} {originating} {streamId}", gives the observed key {observed}.',
    fix: 'The key is right. If this key was answered invalid, the answering node has a different secret (cluster) or saw a different stream id.',
    refs: [XEP0185],
    exampleEvidence: {
      receiving: 'montague.example',
      originating: 'capulet.example',
      streamId: 'D60000229F',
      observed: 'b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3',
    },
  },
  'dialback.key.match-jabberd': {
    severity: 'info',
    title: 'The key matches the jabberd SHA-1 chain with this secret',
    symptom: 'The logged key was made by a jabberd-lineage server that holds this secret.',
    cause:
      'sha1(sha1(sha1(secret) + "{receiving}") + "{streamId}") gives the observed key {observed}; this scheme ignores the originating domain ({originating}).',
    fix: 'The key is right. If this key was answered invalid, the answering node has a different secret (cluster) or saw a different stream id.',
    refs: [XEP0185],
    exampleEvidence: {
      receiving: 'montague.example',
      originating: 'capulet.example',
      streamId: 'D60000229F',
      observed: '0040a0be8a26a12b82a73b16d4c7fd0353ed8dbd',
    },
  },
  'dialback.key.no-match': {
    severity: 'warning',
    title: 'The key matches neither XEP-0185 nor the jabberd chain with this secret',
    symptom:
      "If the server that made this key was given this secret, its nodes do not share one secret, and peers see type='invalid' whenever a callback reaches another node.",
    cause:
      'The observed key {observed} ({observedLength} characters) differs from the XEP-0185 key {xep0185} and the jabberd key {jabberd} for {receiving} / {originating} / {streamId}. The length proves nothing: key formats are private to the server (Cisco XCP uses 40 hex characters). Either the secret is not the one that server uses, the stream id or domains differ from the ones in the log line, or the server uses another algorithm.',
    fix: 'Check the triple against the log (receiving = to of db:result, originating = from, stream id = the id of the receiving server\u2019s stream header). If it is right and the secret is the configured one, set the same dialback secret on every node (Cisco Expressway-E: Configuration > Unified Communication > Dialback Secret, identical on every Expressway-E).',
    refs: [XEP0185, CISCO_TAC],
    exampleEvidence: {
      receiving: 'vngtp.lab',
      originating: 'coluc.com',
      streamId: '05E295A2B',
      observed: 'd780f198ac34a6dbd795fcdaf8762eaf52ea9b03',
      observedLength: 40,
      xep0185: '4a6f…',
      jabberd: '91c2…',
    },
  },
});
