/** readSecret: --…-stdin, then the env var, then a no-echo prompt on a terminal; otherwise a usage error. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { Flags, Parser } from '@oclif/core';
import { UsageError } from '../../../src/cli/errors.js';
import { hideTypedValues, readSecret, type SecretIo, type SecretSpec } from '../../../src/cli/secret.js';

const SPEC: SecretSpec = {
  envVar: 'XFED_AXL_PASSWORD',
  stdinFlag: '--password-stdin',
  promptLabel: 'AXL password for u@h',
};

function io(opts: { env?: NodeJS.ProcessEnv; input?: string; tty?: boolean } = {}) {
  const stdin = new PassThrough() as PassThrough & {
    isTTY?: boolean;
    setRawMode?: (raw: boolean) => unknown;
  };
  const rawModes: boolean[] = [];
  if (opts.tty) {
    stdin.isTTY = true;
    stdin.setRawMode = (raw: boolean) => rawModes.push(raw);
  }
  if (opts.input !== undefined && !opts.tty) stdin.end(opts.input);
  const stderr = new PassThrough();
  let shown = '';
  stderr.on('data', (d: Buffer) => {
    shown += d.toString();
  });
  const value: SecretIo = { env: opts.env ?? {}, stdin, stderr };
  return { value, stdin, rawModes, shown: () => shown };
}

describe('readSecret', () => {
  it('reads --password-stdin up to the trailing line break, before the env var', async () => {
    const s = await readSecret(
      { ...SPEC, fromStdin: true },
      io({ env: { XFED_AXL_PASSWORD: 'from-env' }, input: 'p@ss word\r\n' }).value,
    );
    assert.equal(s, 'p@ss word');
  });

  it('rejects empty or multi-line stdin with a usage error naming the flag', async () => {
    await assert.rejects(
      readSecret({ ...SPEC, fromStdin: true }, io({ input: '\n' }).value),
      (e: unknown) => e instanceof UsageError && /--password-stdin: stdin was empty/.test(e.detail),
    );
    await assert.rejects(
      readSecret({ ...SPEC, fromStdin: true }, io({ input: 'a\nb\n' }).value),
      /several lines/,
    );
  });

  it('uses the env var when set and non-empty', async () => {
    assert.equal(await readSecret(SPEC, io({ env: { XFED_AXL_PASSWORD: 's3cret' } }).value), 's3cret');
  });

  it('without a terminal and without a source, says which env var and flag to use', async () => {
    await assert.rejects(readSecret(SPEC, io({ env: { XFED_AXL_PASSWORD: '' } }).value), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.detail, /set XFED_AXL_PASSWORD, or pipe it in with --password-stdin/);
      return true;
    });
  });

  it('prompts on a terminal without echo, honouring Backspace', async () => {
    // Given a terminal on stdin
    const t = io({ tty: true });
    const p = readSecret(SPEC, t.value);
    // When the user types "hunter22", deletes one character and presses Enter
    t.stdin.write('hunter22\u007f\r');
    // Then the secret is read, raw mode is switched on and off, and stderr shows only the prompt
    assert.equal(await p, 'hunter2');
    assert.deepEqual(t.rawModes, [true, false]);
    assert.equal(t.shown(), 'AXL password for u@h: \n');
  });

  it('prompts without echo instead of reading an echoing terminal when --password-stdin is given on one', async () => {
    // Given --password-stdin with a terminal on stdin
    const t = io({ tty: true });
    const p = readSecret({ ...SPEC, fromStdin: true }, t.value);
    t.stdin.write('hunter2\r');
    // Then the terminal was switched to raw mode (no echo) while the password was typed
    assert.equal(await p, 'hunter2');
    assert.deepEqual(t.rawModes, [true, false]);
  });

  it('gives up with a usage error when the terminal closes before Enter', async () => {
    const t = io({ tty: true });
    const p = readSecret(SPEC, t.value);
    t.stdin.end('abc');
    await assert.rejects(p, /no password entered \(stdin closed\)/);
    assert.deepEqual(t.rawModes, [true, false]);
  });

  it('treats Ctrl-C at the prompt as a cancelled usage error', async () => {
    const t = io({ tty: true });
    const p = readSecret(SPEC, t.value);
    t.stdin.write('abc\u0003');
    await assert.rejects(p, /prompt cancelled/);
    assert.deepEqual(t.rawModes, [true, false]);
  });
});

describe('hideTypedValues', () => {
  /** The error oclif's parser throws for argv (no args, one boolean flag). */
  async function parseError(argv: string[]): Promise<Error> {
    try {
      await Parser.parse(argv, { flags: { 'password-stdin': Flags.boolean() }, strict: true });
    } catch (e) {
      return e as Error;
    }
    throw new Error(`parsing ${argv.join(' ')} did not fail`);
  }

  it('turns oclif errors that echo typed values into usage errors that show none', async () => {
    const table: [string[], RegExp][] = [
      [
        ['--password-stdin', 'hunter2'],
        /^unexpected argument \(not shown, in case it is a secret\); use stdin$/,
      ],
      [['--passwd=hunter2'], /^nonexistent flag --passwd=…; use stdin$/],
      [['-phunter2'], /^nonexistent flag -p…; use stdin$/],
    ];
    for (const [argv, expected] of table) {
      // Given the error oclif raises (its own message names the value)
      const raw = await parseError(argv);
      assert.match(raw.message, /hunter2/, 'oclif echoes the value');
      // When it is passed through hideTypedValues
      const e = hideTypedValues(raw, 'use stdin');
      // Then it is a usage error without the value
      assert.ok(e instanceof UsageError, argv.join(' '));
      assert.match(e.detail, expected);
      assert.doesNotMatch(e.detail, /hunter2/);
    }
  });

  it('passes other errors through unchanged', () => {
    const e = new Error('boom');
    assert.equal(hideTypedValues(e, 'hint'), e);
  });
});
