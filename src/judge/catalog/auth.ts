/**
 * Catalog: authenticating our server to a peer by certificate (XEP-0178 SASL EXTERNAL over
 * RFC 6120 §6) and peers that accept nothing else (Prosody s2s_secure_auth). Found by
 * `probe tls --cert/--key` and `doctor`. IDs are forever (report contract, "Finding IDs").
 */
import { defineCatalog } from './types.js';

const XEP0178 = 'https://xmpp.org/extensions/xep-0178.html';
const RFC6120_SASL = 'https://www.rfc-editor.org/rfc/rfc6120#section-6.5';
const RFC6120_ERRORS = 'https://www.rfc-editor.org/rfc/rfc6120#section-4.9.3';
const PROSODY_S2S = 'https://prosody.im/doc/s2s';

const SASL_EXAMPLE = {
  endpoint: 'xmpp.example.org:5269',
  domain: 'example.org',
  from: 'chat.example.net',
  subject: 'CN=chat.example.net',
};

export const authCatalog = defineCatalog({
  'sasl.external.ok': {
    severity: 'info',
    title: '{domain} accepts the certificate of {from} (SASL EXTERNAL succeeded at {endpoint})',
    symptom: '{from} can federate with {domain} by certificate alone; dialback is not needed.',
    cause:
      'After TLS with the client certificate "{subject}", the server at {endpoint} offered SASL EXTERNAL and answered <success/> to authorization identity {from}.',
    fix: 'Nothing to do.',
    refs: [XEP0178],
    exampleEvidence: SASL_EXAMPLE,
  },
  'sasl.external.refused': {
    severity: 'warning',
    title: '{domain} refused the certificate of {from}: SASL EXTERNAL failed with {condition} ({text})',
    symptom:
      'Links from {from} to {domain} cannot use certificate authentication. They fall back to dialback if both allow it, and break the day {domain} requires certificates (Prosody s2s_secure_auth) or dialback is turned off. Prosody logs "SASL EXTERNAL with {domain} failed".',
    cause:
      'The server at {endpoint} offered SASL EXTERNAL, but answered <auth mechanism="EXTERNAL"> for {from} with the SASL failure {condition} (peer text: {text}) after TLS with the certificate "{subject}". Usually {domain} does not trust the issuer of that certificate (the CA is not in its store, e.g. ejabberd ca_file or Prosody ssl.cafile), the certificate does not name {from}, it lacks the clientAuth extended key usage, or it expired.',
    fix: 'On {from}: use a certificate for {from} from a CA that {domain} trusts (a public CA, or ask the admin of {domain} to add your CA), with clientAuth in its extended key usage, and send the full chain. Check with xfed probe tls {domain} --from {from} --cert <file> --key <file>.',
    refs: [XEP0178, RFC6120_SASL],
    exampleEvidence: { ...SASL_EXAMPLE, condition: 'not-authorized', text: null },
  },
  'sasl.external.not-offered': {
    severity: 'warning',
    title: '{domain} did not offer SASL EXTERNAL to {from} after TLS with its certificate',
    symptom:
      'Links from {from} to {domain} cannot use certificate authentication; they rely on dialback ({mechanisms} offered) and break if {domain} requires certificates or turns dialback off.',
    cause:
      'xfed presented the certificate "{subject}" for {from} in the TLS handshake with {endpoint}, but the stream features after TLS offered no EXTERNAL mechanism (SASL mechanisms offered: {mechanisms}). Prosody offers EXTERNAL only when it validated the certificate: its issuer is not trusted by {domain}, it does not name {from}, it lacks clientAuth, or it expired. A server that never offers EXTERNAL (Cisco Expressway-E) authenticates by dialback only.',
    fix: 'On {from}: use a certificate for {from} from a CA that {domain} trusts, with clientAuth in its extended key usage, and send the full chain. If {domain} runs Prosody, its log names the reason ("Forbidding insecure connection" / "certificate … is not trusted").',
    refs: [XEP0178],
    exampleEvidence: { ...SASL_EXAMPLE, mechanisms: [] },
  },
  'xmpp.auth.certificate-required': {
    severity: 'error',
    title:
      '{endpoint} accepts only certificate-authenticated servers, and xfed presented no certificate (not-authorized)',
    symptom:
      'Servers without a certificate that {domain} validates are disconnected with not-authorized ("{text}") right after TLS; dialback is not accepted.',
    cause:
      'At step "{step}" the server at {endpoint} closed the stream with not-authorized (peer text: {text}): it requires certificate authentication of the connecting server (Prosody s2s_secure_auth = true). xfed presented no client certificate, so this is expected and says nothing yet about your own server.',
    fix: 'To test what {domain} thinks of your server, run xfed again with --from <your domain> --cert <your certificate> --key <its key>. Every server federating with {domain} needs a certificate for its own domain from a CA {domain} trusts; the admin of {domain} can exempt peers with s2s_insecure_domains.',
    refs: [XEP0178, RFC6120_ERRORS, PROSODY_S2S],
    exampleEvidence: {
      endpoint: 'xmpp.example.org:5269',
      domain: 'example.org',
      step: 'TLS stream features',
      text: 'Your server\u2019s certificate could not be validated',
      certificatePresented: false,
    },
  },
  'xmpp.auth.certificate-rejected': {
    severity: 'error',
    title: '{endpoint} accepts only certificate-authenticated servers and rejected the certificate of {from}',
    symptom:
      '{from} cannot federate with {domain}: every connection is closed with not-authorized ("{text}") right after TLS, and dialback is not accepted.',
    cause:
      'At step "{step}" the server at {endpoint} closed the stream with not-authorized (peer text: {text}) although xfed presented the certificate "{subject}" for {from}: {domain} requires certificate authentication (Prosody s2s_secure_auth = true) and did not validate this certificate (untrusted issuer, wrong name, expired, or no clientAuth).',
    fix: 'On {from}: use a certificate for {from} from a CA that {domain} trusts, with clientAuth in its extended key usage, and send the full chain; or ask the admin of {domain} to trust your CA or add {from} to s2s_insecure_domains.',
    refs: [XEP0178, RFC6120_ERRORS, PROSODY_S2S],
    exampleEvidence: {
      ...SASL_EXAMPLE,
      step: 'TLS stream features',
      text: 'Your server\u2019s certificate is not trusted',
      certificatePresented: true,
    },
  },
});
