/**
 * Command and flag snapshot: the names users script against. Any change to a command id,
 * flag, char or argument shows up as a diff of docs/command-snapshot.json in review.
 * Regenerate deliberately with `UPDATE_SNAPSHOT=1 node scripts/run-tests.mjs test/contract`.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Config } from '@oclif/core';

const root = new URL('../..', import.meta.url).pathname;
const file = `${root}docs/command-snapshot.json`;

async function snapshot(): Promise<unknown> {
  const config = await Config.load(root);
  return config.commands
    .map((c) => ({
      command: c.id.replaceAll(':', ' '),
      args: Object.keys(c.args ?? {}),
      flags: Object.values(c.flags ?? {})
        .map((f) => ({
          name: f.name,
          ...(f.char ? { char: f.char } : {}),
          type: f.type,
          ...(f.type === 'option' && f.multiple ? { multiple: true } : {}),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => a.command.localeCompare(b.command));
}

describe('command snapshot', () => {
  it('commands, args and flags match docs/command-snapshot.json', async () => {
    const now = await snapshot();
    if (process.env.UPDATE_SNAPSHOT) writeFileSync(file, `${JSON.stringify(now, null, 2)}\n`);
    const committed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    assert.deepEqual(now, committed, 'commands or flags changed: review, then UPDATE_SNAPSHOT=1 to accept');
  });
});
