/**
 * Catalog contract: ids are well-formed and released ids never disappear; every
 * placeholder has example evidence; every id is provoked by at least one test outside
 * test/contract (searched as a quoted literal in the test sources).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { catalog } from '../../src/judge/catalog/index.js';

const ID = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*){2,}$/;
const root = new URL('../..', import.meta.url).pathname;

function testSources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'contract') testSources(p, out);
    } else if (p.endsWith('.ts')) out.push(readFileSync(p, 'utf8'));
  }
  return out;
}

describe('finding catalog', () => {
  it('ids follow area.subject.condition', () => {
    for (const id of catalog.keys()) assert.match(id, ID, id);
  });

  it('every placeholder is defined by exampleEvidence, and every text is non-empty', () => {
    for (const [id, e] of catalog) {
      for (const field of ['title', 'symptom', 'cause', 'fix'] as const) {
        assert.ok(e[field].trim().length > 0, `${id}.${field} is empty`);
        for (const m of e[field].matchAll(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g)) {
          assert.ok(
            (m[1] as string) in e.exampleEvidence,
            `${id}.${field} uses {${m[1]}} but exampleEvidence lacks it`,
          );
        }
      }
    }
  });

  it('released ids are never removed (docs/released-ids.txt only grows)', () => {
    const released = readFileSync(join(root, 'docs/released-ids.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const id of released)
      assert.ok(catalog.has(id as never), `released id ${id} is missing from the catalog`);
    const missing = [...catalog.keys()].filter((id) => !released.includes(id));
    assert.deepEqual(missing, [], 'new ids must be added to docs/released-ids.txt');
  });

  it('every id is provoked by a test', () => {
    const sources = testSources(join(root, 'test')).join('\n');
    const unprovoked = [...catalog.keys()].filter(
      (id) => !sources.includes(`'${id}'`) && !sources.includes(`"${id}"`),
    );
    assert.deepEqual(unprovoked, [], `ids without a provoking test: ${unprovoked.join(', ')}`);
  });
});
