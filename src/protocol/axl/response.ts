/**
 * Classifies an AXL HTTP answer body (protocol notes §4.2-4.3): SOAP response, SOAP fault
 * (detail/axlError), the GET /axl/ service page, the 599 version rejection, or something that is
 * not AXL at all. A small bounded XML read with saxes: no DTDs, capped element count, depth,
 * rows and value lengths. The caller bounds the body size before this runs.
 */
import { SaxesParser } from 'saxes';
import type { AxlBody } from '../../facts/axl.js';
import type { ServiceInfo } from '../../facts/cisco.js';
import { SERVICE_PAGE_MARKER, SOAP_ENV_NS, SOAP12_ENV_NS } from './soap.js';
import { isVersionRejection, parseSupportedVersions } from './versions.js';

const MAX_ELEMENTS = 20_000;
const MAX_DEPTH = 48;
const MAX_TEXT = 2048;
const MAX_SNIPPET = 200;
/** More rows than an xmpps2snodes table ever has; the rest are counted as truncated. */
export const MAX_ROWS = 500;
/** More services than a node runs; the rest are counted as truncated. */
export const MAX_SERVICES = 500;

export interface ParsedAnswer {
  body: AxlBody;
  /** getCCMVersion: return/componentVersion/version. */
  ccmVersion?: string;
  /** executeSQLQuery: return/row elements, one entry per column element. */
  rows?: Record<string, string>[];
  rowsTruncated?: boolean;
  /** soapGetServiceStatus: ServiceInfoList items (Control Center Services). */
  services?: ServiceInfo[];
  servicesTruncated?: boolean;
  /** soapGetServiceStatus: ReturnCode and ReasonString of the whole answer. */
  returnCode?: string;
  reasonString?: string;
}

interface XmlNode {
  local: string;
  uri: string;
  children: XmlNode[];
  text: string;
}

/** Collapses white space and cuts to a short snippet for facts and finding text. */
export function snippet(text: string, max = MAX_SNIPPET): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function stripTags(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function htmlTitle(html: string): string | undefined {
  const m = /<title[^>]*>([\s\S]{0,300}?)<\/title>/i.exec(html);
  return m ? snippet(stripTags(m[1] as string), 120) || undefined : undefined;
}

/** Parses XML into a small tree of local names; throws on malformed input, DTDs or limits. */
function parseXml(text: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const root: XmlNode = { local: '#document', uri: '', children: [], text: '' };
  const stack: XmlNode[] = [root];
  let count = 0;
  parser.on('doctype', () => {
    throw new Error('a DTD is not allowed in SOAP');
  });
  parser.on('opentag', (tag) => {
    if (++count > MAX_ELEMENTS) throw new Error(`more than ${MAX_ELEMENTS} elements`);
    if (stack.length > MAX_DEPTH) throw new Error(`nested deeper than ${MAX_DEPTH} elements`);
    const node: XmlNode = { local: tag.local, uri: tag.uri, children: [], text: '' };
    (stack[stack.length - 1] as XmlNode).children.push(node);
    stack.push(node);
  });
  const addText = (t: string) => {
    const cur = stack[stack.length - 1] as XmlNode;
    if (cur.text.length < MAX_TEXT) cur.text = (cur.text + t).slice(0, MAX_TEXT);
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('error', (e) => {
    throw e;
  });
  parser.write(text).close();
  return root;
}

function child(n: XmlNode | undefined, local: string): XmlNode | undefined {
  return n?.children.find((c) => c.local === local);
}

function descendant(n: XmlNode | undefined, local: string): XmlNode | undefined {
  if (!n) return undefined;
  for (const c of n.children) {
    if (c.local === local) return c;
    const d = descendant(c, local);
    if (d) return d;
  }
  return undefined;
}

function textOf(n: XmlNode | undefined): string | undefined {
  const t = n?.text.trim();
  return t ? t : undefined;
}

function soapFault(fault: XmlNode): AxlBody {
  const axlError = descendant(fault, 'axlError');
  // SOAP 1.1 uses faultcode/faultstring; SOAP 1.2 Code/Value and Reason/Text.
  const faultcode = textOf(child(fault, 'faultcode')) ?? textOf(descendant(child(fault, 'Code'), 'Value'));
  const faultstring =
    textOf(child(fault, 'faultstring')) ?? textOf(descendant(child(fault, 'Reason'), 'Text'));
  const body: AxlBody = { kind: 'soap-fault' };
  if (faultcode) body.faultcode = faultcode;
  if (faultstring) body.faultstring = faultstring;
  const axlcode = textOf(child(axlError, 'axlcode'));
  const axlmessage = textOf(child(axlError, 'axlmessage'));
  const request = textOf(child(axlError, 'request'));
  if (axlcode) body.axlcode = axlcode;
  if (axlmessage) body.axlmessage = axlmessage;
  if (request) body.request = request;
  return body;
}

function sqlRows(ret: XmlNode | undefined): { rows: Record<string, string>[]; truncated: boolean } {
  const rowNodes = (ret?.children ?? []).filter((c) => c.local === 'row');
  const rows = rowNodes.slice(0, MAX_ROWS).map((r) => {
    const row: Record<string, string> = {};
    for (const col of r.children) row[col.local] = col.text.trim();
    return row;
  });
  return { rows, truncated: rowNodes.length > MAX_ROWS };
}

function integer(n: XmlNode | undefined): number | undefined {
  const t = textOf(n);
  return t !== undefined && /^[-+]?\d{1,12}$/.test(t) ? Number(t) : undefined;
}

/** soapGetServiceStatusReturn/ServiceInfoList/item*, by local name (real answers carry ns1: prefixes). */
function serviceList(ret: XmlNode | undefined): { services: ServiceInfo[]; truncated: boolean } {
  const items = (child(ret, 'ServiceInfoList')?.children ?? []).filter((c) => c.local === 'item');
  const services = items.slice(0, MAX_SERVICES).map((item) => {
    const info: ServiceInfo = {
      name: textOf(child(item, 'ServiceName')) ?? '',
      status: textOf(child(item, 'ServiceStatus')) ?? '',
    };
    const reasonCode = integer(child(item, 'ReasonCode'));
    if (reasonCode !== undefined) info.reasonCode = reasonCode;
    const reasonCodeString = textOf(child(item, 'ReasonCodeString'));
    if (reasonCodeString !== undefined) info.reasonCodeString = reasonCodeString;
    const startTime = textOf(child(item, 'StartTime'));
    if (startTime !== undefined) info.startTime = startTime;
    const upTimeS = integer(child(item, 'UpTime'));
    if (upTimeS !== undefined) info.upTimeS = upTimeS;
    return info;
  });
  return { services, truncated: items.length > MAX_SERVICES };
}

function fromSoap(doc: XmlNode): ParsedAnswer {
  const env = doc.children[0];
  if (env?.local !== 'Envelope' || (env.uri !== SOAP_ENV_NS && env.uri !== SOAP12_ENV_NS)) {
    const name = env ? `{${env.uri}}${env.local}` : '(none)';
    return {
      body: { kind: 'not-soap', detail: `root element is ${name}, not a SOAP Envelope`, snippet: '' },
    };
  }
  const first = child(env, 'Body')?.children[0];
  if (!first) return { body: { kind: 'not-soap', detail: 'SOAP Body is empty', snippet: '' } };
  if (first.local === 'Fault') return { body: soapFault(first) };
  const out: ParsedAnswer = { body: { kind: 'soap-response', element: first.local } };
  const ret = child(first, 'return');
  if (first.local === 'getCCMVersionResponse') {
    // XSD: return/componentVersion/version; one third-party fixture has return/version.
    const v = textOf(child(child(ret, 'componentVersion'), 'version')) ?? textOf(child(ret, 'version'));
    if (v) out.ccmVersion = v;
  } else if (first.local === 'executeSQLQueryResponse') {
    const { rows, truncated } = sqlRows(ret);
    out.rows = rows;
    out.rowsTruncated = truncated;
  } else if (first.local === 'soapGetServiceStatusResponse') {
    const status = child(first, 'soapGetServiceStatusReturn');
    const { services, truncated } = serviceList(status);
    out.services = services;
    out.servicesTruncated = truncated;
    const returnCode = textOf(child(status, 'ReturnCode'));
    if (returnCode) out.returnCode = returnCode;
    const reasonString = textOf(child(status, 'ReasonString'));
    if (reasonString) out.reasonString = reasonString;
  }
  return out;
}

/** The two answers recognised by their wording, whatever their markup: 599 version rejection, service page. */
function byWording(raw: string, plain: string): AxlBody | undefined {
  if (isVersionRejection(plain)) {
    const sentence =
      /incorrect\s+axl\s+version[\s\S]*|supported\s+axl\s+versions?[\s\S]*/i.exec(plain)?.[0] ?? plain;
    return { kind: 'version-rejected', supported: parseSupportedVersions(plain), text: snippet(sentence) };
  }
  if (plain.toLowerCase().includes(SERVICE_PAGE_MARKER.toLowerCase())) {
    const title = htmlTitle(raw);
    return title ? { kind: 'service-page', title } : { kind: 'service-page' };
  }
  return undefined;
}

/**
 * Classifies one answer body. `contentType` is the raw Content-Type header, if any. A SOAP
 * response is taken as such even if its data happens to contain the wording checked above.
 */
export function classifyBody(text: string, contentType: string | undefined): ParsedAnswer {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { body: { kind: 'empty' } };
  const plain = snippet(stripTags(trimmed), 4096);
  const isHtml = /^text\/html\b/i.test(contentType ?? '') || /^(<!doctype\s+html|<html[\s>])/i.test(trimmed);
  if (isHtml || !trimmed.startsWith('<')) {
    const known = byWording(trimmed, plain);
    if (known) return { body: known };
    if (!isHtml) return { body: { kind: 'other', snippet: snippet(trimmed) } };
    const title = htmlTitle(trimmed);
    const page: AxlBody = { kind: 'html', snippet: snippet(plain) };
    if (title) page.title = title;
    return { body: page };
  }
  let parsed: ParsedAnswer;
  try {
    parsed = fromSoap(parseXml(trimmed));
  } catch (e) {
    const detail = snippet(String((e as Error).message ?? e), 160);
    parsed = { body: { kind: 'not-soap', detail, snippet: snippet(trimmed) } };
  }
  if (parsed.body.kind === 'soap-response') return parsed;
  // A fault or stray XML may still carry the version rejection (notes §4.3, 599 "or version fault").
  const known = byWording(trimmed, plain);
  if (known) return { body: known };
  if (parsed.body.kind === 'not-soap' && !parsed.body.snippet) parsed.body.snippet = snippet(trimmed);
  return parsed;
}
