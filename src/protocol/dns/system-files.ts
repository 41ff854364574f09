/**
 * The system's resolver files, resolv.conf(5) and hosts(5), for lookups without --resolver.
 * Read once per process and then checked, at most once every `ttlMs`, with one stat: they are
 * read and parsed again only when that stat changed (device, inode, size, mtime or ctime), so a
 * batch or a long-running `xfed serve` does not re-read them for every probe (about 3 ms of CPU
 * a probe before), yet follows an edit or a replaced file within `ttlMs`. glibc does the same
 * for resolv.conf since 2.26 (a stat per lookup). Every read is bounded in size, and a path that
 * is not a regular file (a FIFO, a directory) counts as absent instead of blocking the read.
 */

import { getServers } from 'node:dns';
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { type ResolverAddress, resolversFromText } from './resolv-conf.js';

/** How long a checked file is trusted without another stat. */
export const SYSTEM_FILES_TTL_MS = 1000;
/** More than this is not a resolv.conf or hosts file worth reading; the rest is ignored. */
export const MAX_SYSTEM_FILE_BYTES = 1024 * 1024;

export const RESOLV_CONF = '/etc/resolv.conf';
/** The hosts file consulted before DNS, as the C library does with "hosts: files dns". */
export const HOSTS_FILE = '/etc/hosts';

export interface WatchedFileOptions {
  ttlMs?: number;
  maxBytes?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** What one stat says about a file; null when it is absent or not a regular file. */
type Stamp = string | null;

/** A file's parsed contents, re-read only when its stat changes (see the module comment). */
export class WatchedFile<T> {
  /** Reads of the file so far (tests, benches). */
  reads = 0;
  /** Stats of the file so far. */
  stats = 0;
  private value: { stamp: Stamp; parsed: T; checkedAt: number } | undefined;
  private pending: Promise<T> | undefined;
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(
    readonly path: string,
    private readonly parse: (text: string | undefined) => T,
    opts: WatchedFileOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? SYSTEM_FILES_TTL_MS;
    this.maxBytes = opts.maxBytes ?? MAX_SYSTEM_FILE_BYTES;
    this.now = opts.now ?? Date.now;
  }

  /** The parsed contents (of an absent or unreadable file: parse(undefined)). Never throws. */
  get(): Promise<T> {
    const v = this.value;
    if (v && this.now() - v.checkedAt < this.ttlMs) return Promise.resolve(v.parsed);
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(): Promise<T> {
    const stamp = await this.stamp();
    const v = this.value;
    if (v && v.stamp === stamp) {
      v.checkedAt = this.now();
      return v.parsed;
    }
    const text = stamp === null ? undefined : await this.read();
    const parsed = this.parse(text);
    this.value = { stamp: text === undefined ? null : stamp, parsed, checkedAt: this.now() };
    return parsed;
  }

  /** Size in bytes from the last stat (the read buffer is sized by it). */
  private size = 0;

  private async stamp(): Promise<Stamp> {
    this.stats++;
    try {
      const s = await stat(this.path, { bigint: true });
      if (!s.isFile()) return null;
      this.size = Number(s.size);
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch {
      return null;
    }
  }

  /** At most maxBytes of the file; undefined when it cannot be read. */
  private async read(): Promise<string | undefined> {
    this.reads++;
    try {
      // O_NONBLOCK: should the path have become a FIFO since the stat, open does not wait for a writer.
      const fh = await open(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        // The stat's size plus room for a write since; never more than the cap.
        const buf = Buffer.allocUnsafe(Math.min(this.maxBytes, this.size + 4096));
        let got = 0;
        while (got < buf.length) {
          const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return buf.subarray(0, got).toString('utf8');
      } finally {
        await fh.close();
      }
    } catch {
      return undefined;
    }
  }
}

/** hosts(5): addresses by lower-case name (no trailing dot), each list in file order. */
export function parseHosts(text: string): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!address || isIP(address) === 0) continue;
    for (const n of names) {
      const name = n.toLowerCase().replace(/\.$/, '');
      const list = byName.get(name);
      if (!list) byName.set(name, [address]);
      else if (!list.includes(address)) list.push(address);
    }
  }
  return byName;
}

export interface SystemDnsFilesOptions extends WatchedFileOptions {
  resolvConf?: string;
  hosts?: string;
  /** Node's resolver servers, the fallback without a usable resolv.conf (tests). */
  nodeServers?: () => string[];
}

/** The resolv.conf and hosts file of one system, each a WatchedFile. */
export class SystemDnsFiles {
  readonly resolvConf: WatchedFile<ResolverAddress[]>;
  readonly hosts: WatchedFile<Map<string, string[]>>;

  constructor(opts: SystemDnsFilesOptions = {}) {
    const nodeServers = opts.nodeServers ?? getServers;
    this.resolvConf = new WatchedFile(
      opts.resolvConf ?? RESOLV_CONF,
      (text) => resolversFromText(text ?? '', nodeServers),
      opts,
    );
    this.hosts = new WatchedFile(opts.hosts ?? HOSTS_FILE, (text) => parseHosts(text ?? ''), opts);
  }

  /** The default resolvers (see resolversFromText); a fresh copy each call. */
  async resolvers(): Promise<ResolverAddress[]> {
    return (await this.resolvConf.get()).map((r) => ({ ...r }));
  }

  /** Addresses the hosts file lists for `host`, in file order; [] when none. */
  async hostsAddresses(host: string): Promise<string[]> {
    const list = (await this.hosts.get()).get(host.toLowerCase().replace(/\.$/, ''));
    return list ? [...list] : [];
  }
}
