/**
 * Catalog: what `xfed doctor` could not check and why (issue 9). Findings of the layers
 * themselves come from the other areas' entries. IDs are forever (report contract).
 */
import { defineCatalog } from './types.js';

const XEP0178 = 'https://xmpp.org/extensions/xep-0178.html';
const DOCS = 'https://github.com/xfed/xfed/blob/main/docs/doctor.md';

export const doctorCatalog = defineCatalog({
  'doctor.auth.cert-not-checked': {
    severity: 'info',
    title: 'Whether {peer} accepts the certificate of {our} was not checked (no --cert/--key)',
    symptom:
      'The verdict for {our} → {peer} rests on dialback; it does not tell whether {peer} would authenticate {our} by certificate (SASL EXTERNAL), which modern servers try first and which is all that is left when dialback is off.',
    cause:
      'xfed can only present the certificate of {our} when it has it: --cert and --key were not given, so no client certificate was shown to {peer} and SASL EXTERNAL was not attempted.',
    fix: 'Pass --cert/--key: run xfed doctor {peer} --as {our} --cert <certificate of {our}> --key <its key> (the files your server uses) to check the certificate question too.',
    refs: [XEP0178, DOCS],
    exampleEvidence: { peer: 'example.org', our: 'chat.example.net' },
  },
  'doctor.scope.peer-only': {
    severity: 'info',
    title: 'Only the side of {peer} was checked: {missing} need --as <your domain>',
    symptom:
      'The report says whether {peer} can be reached and trusted by a sending server, not whether your domain and {peer} federate in either direction.',
    cause:
      'Without --as, xfed does not know your domain, so it could not check: {missing}. It checked the DNS of {peer}, every SRV target (TCP, stream, TLS, certificate) and the authentication methods offered.',
    fix: 'Run xfed doctor {peer} --as <your domain> (and --cert/--key for the certificate question) for a verdict in both directions.',
    refs: [DOCS],
    exampleEvidence: {
      peer: 'example.org',
      missing: ['dialback verify both ways', 'your own domain as seen from outside', 'SASL EXTERNAL'],
    },
  },
});
