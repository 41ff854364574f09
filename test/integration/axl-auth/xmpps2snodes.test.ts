/** axl-auth --query-s2s against a fake IM and Presence node: the xmpps2snodes table Expressway-C writes (TAC 213865). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FakeAxlOptions, startFakeAxl } from '../../fakes/fake-axl-server.js';
import { finding, type RunAxl, runAxl } from './run-axl.js';

async function queryS2s(opts: FakeAxlOptions): Promise<{ r: RunAxl; sql: string | undefined }> {
  const fake = await startFakeAxl(opts);
  try {
    const r = await runAxl(fake.port, { queryS2s: true });
    const post = fake.requests.find((q) => q.body.includes('executeSQLQuery'));
    return { r, sql: post && /<sql>([^<]*)<\/sql>/.exec(post.body)?.[1] };
  } finally {
    await fake.close();
  }
}

describe('axl-auth --query-s2s', () => {
  it('lists the rows in axl.s2s.present when Expressway-C has written its S2S node', async () => {
    // Given the row from TAC 213865
    const row = { pkid: '055c13d9-943d-459d-a3c6-af1d1176936d', cp_id: 'cm-2_s2scp-1.eft-xwye-a-coluc-com' };
    const { r, sql } = await queryS2s({ s2sRows: [row] });
    // Then the query was the documented one and the row is shown
    assert.equal(sql, 'select * from xmpps2snodes');
    assert.deepEqual(r.ids, ['cert.check.ok', 'axl.auth.ok', 'axl.s2s.present']);
    assert.deepEqual(r.facts.s2sNodes?.rows, [row]);
    const f = finding(r, 'axl.s2s.present');
    assert.match(f.symptom, /055c13d9-943d-459d-a3c6-af1d1176936d cm-2_s2scp-1\.eft-xwye-a-coluc-com/);
    assert.equal(f.evidence.count, 1);
  });

  it('reports axl.s2s.empty when the table has no rows', async () => {
    // Given an IM and Presence node where Expressway-C never wrote its node
    const { r } = await queryS2s({ s2sRows: [] });
    // Then the empty table is an error with the Expressway fix
    assert.deepEqual(r.ids, ['axl.s2s.empty', 'cert.check.ok', 'axl.auth.ok']);
    assert.match(finding(r, 'axl.s2s.empty').fix, /XMPP federation support to On/);
    assert.equal(r.report.status, 'fail');
  });

  it('reports axl.s2s.table-missing when the node is Unified CM (Informix -206)', async () => {
    // Given a Unified CM node, which has no xmpps2snodes table
    const { r } = await queryS2s({ s2sRows: 'no-table' });
    // Then the fault becomes the "wrong node" finding rather than a generic fault
    assert.deepEqual(r.ids, ['axl.s2s.table-missing', 'cert.check.ok', 'axl.auth.ok']);
    assert.equal(finding(r, 'axl.s2s.table-missing').evidence.axlcode, '-206');
  });

  it('does not query xmpps2snodes without --query-s2s', async () => {
    const fake = await startFakeAxl({ s2sRows: [] });
    try {
      const r = await runAxl(fake.port);
      assert.equal(r.facts.s2sNodes, undefined);
      assert.ok(!fake.requests.some((q) => q.body.includes('executeSQLQuery')));
    } finally {
      await fake.close();
    }
  });
});
