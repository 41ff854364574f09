/**
 * The published facts schemas (schemas/facts/<command>.v1.json) are generated from the fact
 * types in src/facts/; this fails when code and committed schema drift apart (regenerate with
 * `npm run schema:facts`). Real outputs are validated against them by every test that calls
 * assertValidReport (test/helpers/schema.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
// @ts-expect-error: a plain .mjs script without type declarations
import { COMMANDS, drifted, generateAll, schemaFile } from '../../scripts/facts-schema.mjs';

const report = JSON.parse(readFileSync(new URL('../../schemas/report.v1.json', import.meta.url), 'utf8')) as {
  allOf: {
    if: { properties: { command: { const: string } } };
    then: { properties: { facts: { $ref: string } } };
  }[];
  properties: { command: { enum: string[] } };
};

describe('facts schemas', () => {
  const generated = generateAll() as Record<string, string>;

  it('match the fact types in src/facts (npm run schema:facts)', () => {
    assert.deepEqual(drifted(generated), []);
  });

  it('the drift check notices a changed schema', () => {
    const read = (path: string) => readFileSync(path, 'utf8').replace('"receiving"', '"receivingDomain"');
    assert.ok((drifted(generated, read) as string[]).includes('dialback key'));
  });

  it('every command of the report schema has its facts schema, referenced by command', () => {
    const commands = report.properties.command.enum;
    assert.deepEqual(Object.keys(COMMANDS).sort(), [...commands].sort());
    for (const c of commands) {
      const rule = report.allOf.find((r) => r.if.properties.command.const === c);
      assert.ok(rule, `no facts rule for ${c}`);
      assert.ok((schemaFile(c) as string).endsWith(rule.then.properties.facts.$ref));
    }
  });
});
