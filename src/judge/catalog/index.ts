/**
 * THE finding catalog: every area's entries merged into one map. Adding an area means
 * adding its file to the list below; IDs must be unique (checked at load and by tests).
 */
import { authCatalog } from './auth.js';
import { axlCatalog } from './axl.js';
import { certCatalog } from './cert.js';
import { ciscoCatalog } from './cisco.js';
import { dialbackCatalog } from './dialback.js';
import { dnsCatalog } from './dns.js';
import { doctorCatalog } from './doctor.js';
import { logsCatalog } from './logs.js';
import { tlsCatalog } from './tls.js';
import type { CatalogEntry } from './types.js';
import { xmppCatalog } from './xmpp.js';

const areas = [
  dnsCatalog,
  xmppCatalog,
  tlsCatalog,
  certCatalog,
  axlCatalog,
  dialbackCatalog,
  ciscoCatalog,
  logsCatalog,
  authCatalog,
  doctorCatalog,
] as const;

export type FindingId =
  | keyof typeof dnsCatalog
  | keyof typeof xmppCatalog
  | keyof typeof tlsCatalog
  | keyof typeof certCatalog
  | keyof typeof axlCatalog
  | keyof typeof dialbackCatalog
  | keyof typeof ciscoCatalog
  | keyof typeof logsCatalog
  | keyof typeof authCatalog
  | keyof typeof doctorCatalog;

function merge(): ReadonlyMap<FindingId, CatalogEntry> {
  const all = new Map<FindingId, CatalogEntry>();
  for (const area of areas) {
    for (const [id, entry] of Object.entries(area)) {
      if (all.has(id as FindingId)) throw new Error(`duplicate finding id in catalog: ${id}`);
      all.set(id as FindingId, entry as CatalogEntry);
    }
  }
  return all;
}

export const catalog: ReadonlyMap<FindingId, CatalogEntry> = merge();

export function catalogEntry(id: FindingId): CatalogEntry {
  const e = catalog.get(id);
  if (!e) throw new Error(`unknown finding id: ${id}`);
  return e;
}

export type { CatalogEntry } from './types.js';
