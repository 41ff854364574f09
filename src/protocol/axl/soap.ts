/**
 * AXL SOAP 1.1 requests (protocol notes §4.1-4.2): envelope namespace, the versioned AXL
 * namespace http://www.cisco.com/AXL/API/<v>, and SOAPAction "CUCM:DB ver=<v> <operation>".
 */
import type { AxlOperation } from '../../facts/axl.js';

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_ENV_NS = 'http://www.w3.org/2003/05/soap-envelope';

/** The path every AXL request goes to; the trailing slash is required (notes §4.1). */
export const AXL_PATH = '/axl/';

/** The sentence CUCM/IM&P's GET /axl/ page shows when the service runs and the credentials work. */
export const SERVICE_PAGE_MARKER = 'AXL Web Service is working and accepting requests';

/** The statement Expressway-C's writes can be checked with (TAC 213865, "run sql select * from xmpps2snodes"). */
export const XMPPS2SNODES_SQL = 'select * from xmpps2snodes';

export function axlNamespace(version: string): string {
  return `http://www.cisco.com/AXL/API/${version}`;
}

/** SOAPAction header value, quoted as the AXL developer guide shows it. */
export function soapAction(version: string, operation: AxlOperation): string {
  return `"CUCM:DB ver=${version} ${operation}"`;
}

/** Escapes text for an XML element body. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function envelope(version: string, inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns:ns="${axlNamespace(version)}">` +
    `<soapenv:Header/><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`
  );
}

/** getCCMVersion: the cheap read-only call used to check credentials and negotiate the version. */
export function getCCMVersionRequest(version: string): string {
  return envelope(version, '<ns:getCCMVersion><processNodeName/></ns:getCCMVersion>');
}

/** executeSQLQuery with one statement, escaped so `<` and `&` survive (notes §4.2). */
export function executeSQLQueryRequest(version: string, sql: string): string {
  return envelope(version, `<ns:executeSQLQuery><sql>${escapeXml(sql)}</sql></ns:executeSQLQuery>`);
}

/** Headers for an AXL POST (without authentication, which the caller adds). */
export function soapHeaders(version: string, operation: AxlOperation): Record<string, string> {
  return {
    'content-type': 'text/xml; charset=utf-8',
    accept: 'text/xml',
    soapaction: soapAction(version, operation),
  };
}
