/**
 * The layering rules of docs/architecture.md are enforced by biome (noRestrictedImports
 * overrides in biome.json). This is the negative check: the project's own biome.json, copied
 * into a scratch tree, must reject each forbidden import and accept each allowed one, so a
 * loosened or mistyped rule fails here rather than silently letting a violation through.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;
const biome = join(root, 'node_modules/.bin/biome');

interface Case {
  file: string;
  from: string;
  allowed: boolean;
}

const cases: Case[] = [
  // protocol/ imports nothing above it (and so throws no CLI errors)
  { file: 'src/protocol/tls/a.ts', from: '../../cli/errors.js', allowed: false },
  { file: 'src/protocol/tls/b.ts', from: '../../gather/tls.js', allowed: false },
  { file: 'src/protocol/tls/c.ts', from: '../../judge/catalog/index.js', allowed: false },
  { file: 'src/protocol/tls/d.ts', from: '../../report/model.js', allowed: false },
  { file: 'src/protocol/tls/e.ts', from: '../../commands/doctor.js', allowed: false },
  { file: 'src/protocol/tls/f.ts', from: '../../pipeline/run.js', allowed: false },
  { file: 'src/protocol/g.ts', from: '../cli/validate.js', allowed: false },
  { file: 'src/protocol/tls/h.ts', from: '../../facts/cert.js', allowed: true },
  { file: 'src/protocol/tls/i.ts', from: '../xmpp/connection.js', allowed: true },
  { file: 'src/protocol/tls/j.ts', from: '../../transcript/recorder.js', allowed: true },
  // judge/ does no I/O: no sockets, files or gatherers; of protocol/ only the pure identity matcher
  { file: 'src/judge/rules/a.ts', from: 'node:fs/promises', allowed: false },
  { file: 'src/judge/rules/b.ts', from: 'node:net', allowed: false },
  { file: 'src/judge/rules/c.ts', from: '../../gather/srv.js', allowed: false },
  { file: 'src/judge/rules/d.ts', from: '../../protocol/dns/client.js', allowed: false },
  { file: 'src/judge/rules/e.ts', from: '../../cli/errors.js', allowed: false },
  { file: 'src/judge/rules/f.ts', from: '../../protocol/tls/identity.js', allowed: true },
  { file: 'src/judge/rules/g.ts', from: '../../facts/tls.js', allowed: true },
  { file: 'src/judge/h.ts', from: '../report/model.js', allowed: true },
  // facts/ imports nothing but other facts/ files
  { file: 'src/facts/a.ts', from: '../report/model.js', allowed: false },
  { file: 'src/facts/b.ts', from: 'node:crypto', allowed: false },
  { file: 'src/facts/c.ts', from: '../protocol/xmpp/features.js', allowed: false },
  { file: 'src/facts/d.ts', from: './cert.js', allowed: true },
];

const scratch = mkdtempSync(join(tmpdir(), 'xfed-layering-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('layering (biome noRestrictedImports)', () => {
  it('rejects every forbidden import and accepts every allowed one', () => {
    const config = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8')) as Record<string, unknown>;
    delete config.$schema;
    writeFileSync(join(scratch, 'biome.json'), JSON.stringify(config));
    for (const c of cases) {
      mkdirSync(dirname(join(scratch, c.file)), { recursive: true });
      writeFileSync(join(scratch, c.file), `import * as m from '${c.from}';\n\nexport const x = m;\n`);
    }
    const res = spawnSync(
      biome,
      ['lint', '--only=style/noRestrictedImports', '--max-diagnostics=none', '--colors=off', 'src'],
      { cwd: scratch, encoding: 'utf8' },
    );
    const out = `${res.stdout}${res.stderr}`;
    const flagged = new Set(
      [...out.matchAll(/^(src\/\S+\.ts):\d+:\d+ lint\/style\/noRestrictedImports/gm)].map((m) => m[1]),
    );
    assert.ok(res.status !== null, 'biome ran');
    for (const c of cases) {
      assert.equal(
        !flagged.has(c.file),
        c.allowed,
        `${c.file} importing ${c.from} should be ${c.allowed ? 'allowed' : 'rejected'}\n${out}`,
      );
    }
  });
});
