/**
 * Validates reports against the committed JSON Schema (schemas/report.v1.json), whose `facts`
 * refer, per command, to the generated schemas/facts/<command>.v1.json.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const SCHEMAS = new URL('../../schemas/', import.meta.url);
const load = (name: string) => JSON.parse(readFileSync(new URL(name, SCHEMAS), 'utf8')) as object;

const ajv = new Ajv({ allErrors: true, strict: false });
for (const f of readdirSync(new URL('facts/', SCHEMAS))) {
  if (f.endsWith('.json')) ajv.addSchema(load(`facts/${f}`));
}
const validate = ajv.compile(load('report.v1.json'));

export function assertValidReport(doc: unknown): void {
  const ok = validate(doc);
  assert.ok(
    ok,
    `report does not match schemas/report.v1.json (facts: schemas/facts/): ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`,
  );
}

/** The finding ids of a report, in order. */
export function idsOf(doc: unknown): string[] {
  return ((doc as { findings: { id: string }[] }).findings ?? []).map((f) => f.id);
}
