import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { UsageError } from '../../../src/cli/errors.js';
import { caSource, readBoundedFile } from '../../../src/cli/file-input.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-file-input-'));
const base = { flag: '--ca', what: 'a PEM certificate', maxBytes: 1024, timeoutMs: 2000 };

async function usage(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof UsageError, String(e));
    assert.match(e.detail, re);
    assert.equal(e.detail.includes('\n'), false, 'one line');
    return true;
  });
}

describe('readBoundedFile', () => {
  it('reads a regular file within the limit', async () => {
    const p = join(dir, 'ok.pem');
    writeFileSync(p, 'hello');
    assert.equal(String(await readBoundedFile(p, base)), 'hello');
  });

  it('refuses a FIFO that is never written, without blocking', async () => {
    const p = join(dir, 'fifo');
    execFileSync('mkfifo', [p]);
    const t0 = Date.now();
    await usage(readBoundedFile(p, base), /^--ca .*fifo is not a regular file \(a FIFO \(named pipe\)\)/);
    assert.ok(Date.now() - t0 < 1000, 'refused before any wait');
  });

  it('refuses /dev/zero and a directory', async () => {
    await usage(readBoundedFile('/dev/zero', base), /not a regular file \(a character device\)/);
    await usage(readBoundedFile(dir, base), /not a regular file \(a directory\)/);
  });

  it('names the limit when a file is too large', async () => {
    const p = join(dir, 'big.pem');
    writeFileSync(p, Buffer.alloc(4096, 0x41));
    await usage(readBoundedFile(p, base), /is 4096 bytes, over the 1 KiB limit for --ca/);
  });

  it('reports a missing file with its errno, path escaped and shortened', async () => {
    await usage(
      readBoundedFile(`/nonexistent/\x1b[2J${'x'.repeat(200)}`, base),
      /^--ca \/nonexistent\/\\x1b\[2Jx+…: cannot read the file \(ENOENT\)/,
    );
  });

  it('reads `-` from stdin only where allowed', async () => {
    const stdin = new PassThrough();
    const p = readBoundedFile('-', { ...base, flag: '--file', allowStdin: true, stdin });
    stdin.end('a.test\nb.test\n');
    assert.equal(String(await p), 'a.test\nb.test\n');
    await usage(readBoundedFile('-', base), /^--ca -: cannot read the file \(ENOENT\)/);
  });

  it('ends a silent stdin at the deadline and caps its size', async () => {
    const silent = new PassThrough();
    await usage(
      readBoundedFile('-', { ...base, flag: '--file', allowStdin: true, stdin: silent, timeoutMs: 50 }),
      /^--file -: stdin sent nothing for 50 ms/,
    );
    const flood = new PassThrough();
    const p = readBoundedFile('-', { ...base, flag: '--file', allowStdin: true, stdin: flood });
    flood.write(Buffer.alloc(2048));
    await usage(p, /stdin is larger than the 1 KiB limit for --file/);
  });
});

describe('caSource', () => {
  it('uses --ca when given, else the XFED_CA list', () => {
    assert.deepEqual(caSource(['a.pem'], { XFED_CA: 'x.pem:y.pem' }), { paths: ['a.pem'], flag: '--ca' });
    assert.deepEqual(caSource(undefined, { XFED_CA: 'x.pem::y.pem' }), {
      paths: ['x.pem', 'y.pem'],
      flag: 'XFED_CA',
    });
    assert.deepEqual(caSource([], {}), { paths: [], flag: 'XFED_CA' });
  });
});
