/** Validates reports against the committed JSON Schema (schemas/report.v1.json). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const schema = JSON.parse(
  readFileSync(new URL('../../schemas/report.v1.json', import.meta.url), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

export function assertValidReport(doc: unknown): void {
  const ok = validate(doc);
  assert.ok(ok, `report does not match schemas/report.v1.json: ${JSON.stringify(validate.errors, null, 1)}`);
}

/** The finding ids of a report, in order. */
export function idsOf(doc: unknown): string[] {
  return ((doc as { findings: { id: string }[] }).findings ?? []).map((f) => f.id);
}
