/** Catalog: findings that belong to no protocol area. IDs are forever. */
import { defineCatalog } from './types.js';

export const generalCatalog = defineCatalog({
  'general.check.incomplete': {
    severity: 'warning',
    title: 'A check could not run',
    symptom: 'Part of the diagnosis for {target} is missing from this report.',
    cause: 'The step "{step}" needed facts that an earlier step could not gather: {reason}.',
    fix: 'Resolve the earlier findings first, then run xfed again; the skipped check will run once its inputs exist.',
    refs: [],
    exampleEvidence: { target: 'example.org', step: 'certificate', reason: 'TLS handshake failed' },
  },
});
