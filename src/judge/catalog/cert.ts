/**
 * Catalog: findings of area 'cert' (certificates judged as XMPP servers and HTTPS clients
 * judge them: RFC 6120 §13.7, RFC 6125, XEP-0178, RFC 5280). IDs are forever (report
 * contract, "Finding IDs").
 */
import { defineCatalog } from './types.js';

const RFC6120_CERTS = 'https://www.rfc-editor.org/rfc/rfc6120#section-13.7';
const RFC6125 = 'https://www.rfc-editor.org/rfc/rfc6125#section-6';
const XEP0178 = 'https://xmpp.org/extensions/xep-0178.html';
const RFC5280_VALIDATION = 'https://www.rfc-editor.org/rfc/rfc5280#section-6';
const RFC5280_EKU = 'https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.12';
const RFC8446_CHAIN = 'https://www.rfc-editor.org/rfc/rfc8446#section-4.4.2';
const RFC5246_CHAIN = 'https://www.rfc-editor.org/rfc/rfc5246#section-7.4.2';

/**
 * Who fails when the certificate does not authenticate the domain. A certificate problem does
 * not stop TLS itself with an XMPP peer: a server that accepts dialback (XEP-0220) completes
 * TLS without verifying and authenticates the domain by dialback instead (observed with
 * Prosody and jabberd2 in their default configuration). Only peers that require certificate
 * authentication fail.
 */
const CERT_AUTH_FAILS =
  'Peers that authenticate {referenceName} by its certificate fail: those that require certificate authentication or use SASL EXTERNAL (XEP-0178), and strict policies such as Prosody with s2s_secure_auth = true, ejabberd without mod_s2s_dialback, or Cisco Expressway with TLS verify mode on.';
const DIALBACK_STILL_WORKS =
  'Peers that accept dialback (Prosody and jabberd2 in their default configuration) still federate with {referenceName} over this TLS connection, authenticating the domain by dialback instead.';

export const certCatalog = defineCatalog({
  'cert.check.ok': {
    severity: 'info',
    title: 'Certificate of {endpoint} is valid for {referenceName}',
    symptom: 'Peers can authenticate {referenceName} with this certificate.',
    cause:
      'The certificate "{subject}" issued by "{issuer}" matches {referenceName} via {matchedVia} ({matchedValue}), chains to a trusted root and is valid until {notAfter}.',
    fix: 'Nothing to do. Renew before {notAfter}.',
    refs: [RFC6125, XEP0178],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      referenceName: 'example.org',
      subject: 'CN=example.org',
      issuer: 'CN=R11, O=Let\u2019s Encrypt, C=US',
      matchedVia: 'dns-id',
      matchedValue: 'example.org',
      wildcard: false,
      notAfter: '2027-01-01T00:00:00.000Z',
      daysLeft: 90,
    },
  },
  'cert.peer.missing': {
    severity: 'error',
    title: '{endpoint} sent no certificate',
    symptom:
      'Peers that require authenticated server-to-server connections close the stream or fall back to dialback; strict peers log "Failed to get peer certificate".',
    cause: 'The TLS session with {endpoint} completed without any certificate from the peer.',
    fix: 'Configure a certificate for {referenceName} on the server (Prosody: ssl = { certificate = ..., key = ... } in the VirtualHost; ejabberd: certfiles; Cisco Expressway: Maintenance > Security > Server certificate).',
    refs: [RFC6120_CERTS],
    exampleEvidence: { endpoint: 'xmpp.example.org:5269', referenceName: 'example.org' },
  },
  'cert.name.mismatch': {
    severity: 'error',
    title: 'Certificate of {endpoint} does not match {referenceName}',
    symptom: `${CERT_AUTH_FAILS} ejabberd logs "Certificate host name mismatch"; HTTPS clients report a hostname mismatch. ${DIALBACK_STILL_WORKS}`,
    cause:
      'The certificate presents only these names: {names}. None of them matches the reference identifier {referenceName}; servers check the domain itself, not the host they connected to.',
    fix: 'Reissue the certificate with these subjectAltName entries: {expected}. For XMPP put the domain as dNSName (and optionally the SRVName), not only in the CN; a wildcard *.{referenceName} does not cover {referenceName} itself.',
    refs: [RFC6125, XEP0178, RFC6120_CERTS],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      referenceName: 'example.org',
      names: ['DNS:www.example.org', 'DNS:*.example.org'],
      expected: ['DNS:example.org', 'otherName:1.3.6.1.5.5.7.8.7;IA5:_xmpp-server.example.org'],
    },
  },
  'cert.name.matches-srv-target-only': {
    severity: 'error',
    title: 'Certificate names the SRV target {connectHost}, not the XMPP domain {referenceName}',
    symptom: `The certificate looks right for the server host {connectHost} but not for {referenceName}. ${CERT_AUTH_FAILS} ${DIALBACK_STILL_WORKS}`,
    cause:
      'The certificate presents {names}. It matches the host {connectHost} that the SRV record points to, but RFC 6120 and XEP-0178 require the XMPP domain {referenceName} as the reference identifier: the SRV target is not trusted unless the SRV answer is DNSSEC-signed.',
    fix: 'Reissue the certificate with these subjectAltName entries: {expected} (keep DNS:{connectHost} as well if clients use it). Prosody: the certificate for the VirtualHost "{referenceName}"; Cisco Expressway-E: add {referenceName} as an XMPP federation domain (DNS format) in the CSR.',
    refs: [RFC6120_CERTS, XEP0178],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      referenceName: 'example.org',
      connectHost: 'xmpp.example.org',
      names: ['DNS:xmpp.example.org'],
      expected: ['DNS:example.org', 'otherName:1.3.6.1.5.5.7.8.7;IA5:_xmpp-server.example.org'],
    },
  },
  'cert.name.cn-only': {
    severity: 'warning',
    title: 'Certificate of {endpoint} names {referenceName} only in the subject CN',
    symptom:
      'Current servers (Prosody 13, anything following RFC 9525) ignore the CN and reject the certificate; older ones still accept it.',
    cause:
      'The certificate has no subjectAltName identity, so {referenceName} matched only via the legacy CN fallback ({matchedValue}). RFC 9525 removed the CN fallback.',
    fix: 'Reissue the certificate with these subjectAltName entries: {expected}.',
    refs: ['https://www.rfc-editor.org/rfc/rfc9525', XEP0178],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      referenceName: 'example.org',
      matchedValue: 'example.org',
      expected: ['DNS:example.org', 'otherName:1.3.6.1.5.5.7.8.7;IA5:_xmpp-server.example.org'],
    },
  },
  'cert.name.wildcard-bare-domain': {
    severity: 'error',
    title: 'Certificate of {endpoint} has {wildcard}, which does not cover {referenceName} itself',
    symptom: `${CERT_AUTH_FAILS} ${DIALBACK_STILL_WORKS}`,
    cause:
      'The certificate presents {names}. A wildcard stands for exactly one label: {wildcard} covers chat.{referenceName} or xmpp.{referenceName}, but not the bare domain {referenceName}, which is what XMPP servers check (RFC 6125 §6.4.3, XEP-0178).',
    fix: 'Reissue the certificate with the bare domain next to the wildcard: {expected} (keep {wildcard} for the subdomains). With Let’s Encrypt: certbot certonly -d {referenceName} -d "*.{referenceName}".',
    refs: [RFC6125, XEP0178],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      referenceName: 'example.org',
      wildcard: '*.example.org',
      names: ['DNS:*.example.org'],
      expected: ['DNS:example.org', 'otherName:1.3.6.1.5.5.7.8.7;IA5:_xmpp-server.example.org'],
    },
  },
  'cert.validity.expired': {
    severity: 'error',
    title: 'Certificate "{subject}" of {endpoint} expired on {notAfter}',
    symptom: `${CERT_AUTH_FAILS} They log "certificate has expired"; HTTPS clients refuse the connection. ${DIALBACK_STILL_WORKS}`,
    cause:
      'The {role} certificate "{subject}" was valid until {notAfter}; it expired {daysAgo} day(s) before the check.',
    fix: 'Renew the certificate, install it together with its intermediates and reload the server (Prosody: prosodyctl cert import / reload; ejabberd: ejabberdctl reload_config; Cisco: upload the renewed certificate and restart the service that uses it). Automate renewal so it happens well before expiry.',
    refs: [RFC5280_VALIDATION],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      referenceName: 'example.org',
      subject: 'CN=example.org',
      role: 'leaf',
      notAfter: '2025-01-01T00:00:00.000Z',
      daysAgo: 12,
    },
  },
  'cert.validity.not-yet-valid': {
    severity: 'error',
    title: 'Certificate "{subject}" of {endpoint} is not valid before {notBefore}',
    symptom: `${CERT_AUTH_FAILS} They log "certificate is not yet valid"; HTTPS clients refuse the connection. ${DIALBACK_STILL_WORKS}`,
    cause:
      "The {role} certificate \"{subject}\" becomes valid only on {notBefore}, after the time of this check ({checkedAt}): it was issued with a future start date, or a clock (the server's, the CA's or this machine's) is wrong.",
    fix: 'Check the clocks (NTP) on the server and on this machine; if they are right, reissue the certificate with a start date in the past.',
    refs: [RFC5280_VALIDATION],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      referenceName: 'example.org',
      subject: 'CN=example.org',
      role: 'leaf',
      notBefore: '2030-01-01T00:00:00.000Z',
      checkedAt: '2026-11-26T10:00:00.000Z',
    },
  },
  'cert.validity.expires-soon': {
    severity: 'warning',
    title: 'Certificate "{subject}" of {endpoint} expires in {daysLeft} day(s)',
    symptom: 'Nothing yet; federation with {endpoint} will break on {notAfter}.',
    cause:
      'The {role} certificate "{subject}" is valid until {notAfter}, less than the {warnDays} days set by --warn-days.',
    fix: 'Renew the certificate now and install it with its intermediates; check that automatic renewal (e.g. certbot or acme.sh) also reloads the XMPP server.',
    refs: [RFC5280_VALIDATION],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      subject: 'CN=example.org',
      role: 'leaf',
      notAfter: '2026-12-01T00:00:00.000Z',
      daysLeft: 5,
      warnDays: 14,
    },
  },
  'cert.chain.self-signed': {
    severity: 'error',
    title: '{endpoint} presents a self-signed certificate',
    symptom:
      'Peers that verify certificates refuse it ("self-signed certificate"); Prosody falls back to dialback only if allowed, Cisco Expressway with "Require client-side security certificates" refuses the connection.',
    cause: 'The certificate "{subject}" is signed by its own key, so no trusted CA vouches for it.',
    fix: 'Use a certificate from a public CA (e.g. Let\u2019s Encrypt for {referenceName}) or from your own CA; if the self-signed certificate is intended (lab, private federation), peers must import it and this check can trust it with --ca <file>.',
    refs: [RFC5280_VALIDATION, XEP0178],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      referenceName: 'example.org',
      subject: 'CN=example.org',
    },
  },
  'cert.chain.issuer-unknown': {
    severity: 'error',
    title: 'Certificate of {endpoint} is issued by an unknown CA',
    symptom:
      'Peers that verify certificates refuse it ("unable to get local issuer certificate", "certificate signed by unknown authority").',
    cause:
      'The chain sent by {endpoint} ends at "{topSubject}", issued by "{topIssuer}", which is not in the trust store used ({errorMessage}). Typical for a private or enterprise CA.',
    fix: 'If the CA is private, distribute its root certificate to every peer (Prosody: ssl.cafile; ejabberd: ca_file; Cisco: upload it as a trust certificate) and run xfed with --ca <root.pem>. Otherwise use a certificate from a public CA.',
    refs: [RFC5280_VALIDATION],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      topSubject: 'CN=Example Corp Issuing CA',
      topIssuer: 'CN=Example Corp Root CA',
      errorMessage: 'unable to get local issuer certificate',
    },
  },
  'cert.chain.incomplete': {
    severity: 'error',
    title: '{endpoint} does not send the intermediate certificate',
    symptom:
      'Some peers accept the certificate (they have the intermediate cached) and others refuse it ("unable to verify the first certificate"), so federation works with some domains only.',
    cause:
      'The peer did not send the issuer of its certificate "{subject}": "{issuer}" is neither in the chain it sent nor a trusted root. Where to download the issuer: {caIssuers}.',
    fix: 'Configure the full chain (certificate followed by the intermediates): Prosody: ssl.certificate pointing at fullchain.pem (certificate with the intermediate appended); ejabberd: list the chain file in certfiles; Cisco Expressway: upload the intermediate as a trusted CA and the server certificate chain; Cisco Tomcat (AXL): upload the intermediate to tomcat-trust and re-import the signed certificate. If "{issuer}" is your own root CA, trust it with --ca <file> instead.',
    refs: [RFC5280_VALIDATION, 'https://www.rfc-editor.org/rfc/rfc8446#section-4.4.2'],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      subject: 'CN=example.org',
      issuer: 'CN=R11, O=Let\u2019s Encrypt, C=US',
      caIssuers: ['http://r11.i.lencr.org/'],
    },
  },
  'cert.chain.invalid': {
    severity: 'error',
    title: 'Certificate chain of {endpoint} fails validation: {errorMessage}',
    symptom: 'Peers that verify certificates refuse the connection with "{errorMessage}".',
    cause:
      'OpenSSL rejected the chain sent by {endpoint} with {errorCode} ({errorMessage}); the path OpenSSL built from it is: {chain}. Node.js reports newer OpenSSL codes as UNSPECIFIED; common causes are an intermediate without basicConstraints CA:TRUE or without the keyCertSign key usage, or a certificate in the chain that does not link to the next one.',
    fix: 'Rebuild the chain from the certificates your CA issued (leaf first, then each intermediate, each one issued by the next) and make sure every CA certificate has basicConstraints CA:TRUE; then reload the server.',
    refs: [RFC5280_VALIDATION],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      errorCode: 'INVALID_CA',
      errorMessage: 'invalid CA certificate',
      chain: ['CN=example.org', 'CN=Example Issuing CA'],
    },
  },
  'cert.chain.misordered': {
    severity: 'warning',
    title:
      '{endpoint} sends its chain out of order: position {position} comes before position {issuedPosition}, which it issued',
    symptom:
      'OpenSSL-based peers (Prosody, ejabberd, jabberd2, this check) reorder the chain and accept it. TLS stacks that take the chain in the order sent, as TLS 1.2 requires (RFC 5246 §7.4.2: each certificate must certify the one before it), refuse it with a certificate verification error, so federation fails with those peers only.',
    cause:
      'In the chain as sent ({sent}), the certificate at position {position} ("{subject}") is the issuer of the one at position {issuedPosition} ("{issuedSubject}") but comes before it. The verified path is {pathOrder}.',
    fix: 'Send the chain leaf first, then each issuer in turn (positions {pathOrder}): rebuild the certificate file in that order (Prosody: ssl.certificate = fullchain.pem as issued; ejabberd: the certfiles entry; Cisco Expressway: re-upload the server certificate with its chain), then reload the server.',
    refs: [RFC5246_CHAIN, RFC8446_CHAIN],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      position: 1,
      subject: 'CN=Example Root CA',
      issuedPosition: 2,
      issuedSubject: 'CN=Example Issuing CA',
      sent: ['0: CN=example.org', '1: CN=Example Root CA', '2: CN=Example Issuing CA'],
      pathOrder: [0, 2, 1],
    },
  },
  'cert.chain.unrelated': {
    severity: 'warning',
    title: '{endpoint} sends {count} certificate(s) that are not part of its chain (position {positions})',
    symptom:
      'OpenSSL-based peers (Prosody, ejabberd, jabberd2, this check) ignore the extra certificate and accept the chain. TLS stacks that take the chain in the order sent (RFC 5246 §7.4.2) refuse it, and every handshake carries the useless bytes.',
    cause:
      'In the chain as sent ({sent}), the certificate(s) at position {positions} ({unrelated}) neither issued the certificate at position 0 nor any of its issuers: they are left over from another certificate, an old intermediate or a different CA.',
    fix: 'Remove the certificate(s) at position {positions} from the certificate file so that it holds only the leaf and its issuers in order (positions {pathOrder}), then reload the server.',
    refs: [RFC5246_CHAIN, RFC8446_CHAIN],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      count: 1,
      positions: [2],
      unrelated: ['2: CN=Old Issuing CA'],
      sent: ['0: CN=example.org', '1: CN=Example Issuing CA', '2: CN=Old Issuing CA'],
      pathOrder: [0, 1],
    },
  },
  'cert.key.weak': {
    severity: 'error',
    title: 'Certificate "{subject}" of {endpoint} has a weak {keyType} key ({keyBits} bits)',
    symptom:
      'Peers with current OpenSSL defaults refuse the certificate ("ee key too small" / "ca key too small").',
    cause:
      'The {role} certificate "{subject}" uses a {keyBits}-bit {keyType} key; at least {minBits} bits are required.',
    fix: 'Create a new key and certificate: openssl req -new -newkey rsa:3072 (or -newkey ec -pkeyopt ec_paramgen_curve:P-256) -keyout key.pem -out req.csr, and have it signed again.',
    refs: ['https://www.rfc-editor.org/rfc/rfc7525#section-4.3'],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      subject: 'CN=example.org',
      role: 'leaf',
      keyType: 'rsa',
      keyBits: 1024,
      minBits: 2048,
    },
  },
  'cert.signature.sha1': {
    severity: 'error',
    title: 'Certificate "{subject}" of {endpoint} is signed with SHA-1',
    symptom:
      'Peers with current OpenSSL defaults refuse the chain ("CA signature digest algorithm too weak").',
    cause:
      'The {role} certificate "{subject}" is signed with {signatureAlgorithm}; SHA-1 signatures are no longer accepted.',
    fix: 'Have the certificate reissued with a SHA-256 signature (openssl ... -sha256); with a private CA, re-sign it with -sha256.',
    refs: ['https://www.rfc-editor.org/rfc/rfc9155'],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      subject: 'CN=example.org',
      role: 'leaf',
      signatureAlgorithm: 'sha1WithRSAEncryption',
    },
  },
  'cert.eku.no-server-auth': {
    severity: 'error',
    title: 'Certificate of {endpoint} is not allowed for TLS servers (no serverAuth)',
    symptom: 'Peers refuse the certificate ("unsupported certificate purpose").',
    cause:
      'The certificate "{subject}" has an extended key usage extension listing only {extKeyUsage}; serverAuth is missing.',
    fix: 'Reissue the certificate with extendedKeyUsage = serverAuth, clientAuth (the same certificate is used for incoming and outgoing server-to-server connections).',
    refs: [RFC5280_EKU],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      subject: 'CN=example.org',
      extKeyUsage: ['clientAuth'],
    },
  },
  'cert.eku.no-client-auth': {
    severity: 'warning',
    title: 'Certificate of {endpoint} is not allowed as a TLS client certificate (no clientAuth)',
    symptom:
      'Incoming connections to {referenceName} work, but when {referenceName} connects out, peers that check the client certificate refuse it; Cisco Expressway requires both serverAuth and clientAuth.',
    cause:
      'The certificate "{subject}" lists only {extKeyUsage} in its extended key usage. A server presents the same certificate when it connects to other servers, where it acts as a TLS client. Some public CAs no longer include clientAuth.',
    fix: 'Reissue the certificate with extendedKeyUsage = serverAuth, clientAuth (Cisco Expressway CSR templates include both); if your CA no longer offers clientAuth, rely on dialback for outgoing connections and note that Expressway peers may refuse them.',
    refs: [RFC5280_EKU, RFC6120_CERTS],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      referenceName: 'example.org',
      subject: 'CN=example.org',
      extKeyUsage: ['serverAuth'],
    },
  },
  'cert.check.insecure-skipped': {
    severity: 'warning',
    title: 'Certificate problem ignored because of --insecure: {problem}',
    symptom:
      'xfed went on although the certificate of {endpoint} would be refused by a verifying client ({skippedId}).',
    cause:
      'With --insecure, certificate trust and name checks only warn. See "xfed explain {skippedId}" for the cause.',
    fix: 'Fix the certificate (see "xfed explain {skippedId}"), or trust its CA with --ca <file>, and drop --insecure: other clients (e.g. Cisco Expressway with TLS verify mode on) do not skip these checks.',
    refs: [RFC5280_VALIDATION, RFC6125],
    exampleEvidence: {
      endpoint: 'cucm.example.org:8443',
      problem: 'cucm.example.org:8443 presents a self-signed certificate',
      skippedId: 'cert.chain.self-signed',
    },
  },
});
