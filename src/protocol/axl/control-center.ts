/**
 * Control Center Services SOAP (reference cisco-and-peers §1.1-1.3, WSDL [V:impl]): the current
 * and legacy endpoint paths, SOAPAction "soapGetServiceStatus" (the WSDL value, quoted) and the
 * request envelope. A request holds one ServiceStatus element per service name; one empty
 * element asks for every service (Cisco's own sample does that).
 */
import { escapeXml, SOAP_ENV_NS } from './soap.js';

export { FEDERATION_SERVICES } from '../../facts/cisco.js';

/** Current endpoint, [V:doc]. */
export const CONTROL_CENTER_PATH = '/controlcenterservice2/services/ControlCenterServices';
/** Legacy endpoint, tried only after a 404 on the current one, [V:3p]. */
export const LEGACY_CONTROL_CENTER_PATH = '/controlcenterservice/services/ControlCenterServicesPort';

export const CONTROL_CENTER_NS = 'http://schemas.cisco.com/ast/soap';

/**
 * The fault text Control Center sends when a client asks too often ([V:3p]: Perl clients match
 * it and sleep 10 s before retrying). Matched case-insensitively inside faultstring.
 */
export const RATE_LIMIT_FAULT = /exceeded allowed rate/i;
/** How long to wait before the one retry after a rate-limit fault ([V:3p]; capped by --timeout). */
export const RATE_LIMIT_WAIT_MS = 10_000;

/** soapGetServiceStatus for these names; [] asks for every service. */
export function getServiceStatusRequest(names: readonly string[]): string {
  const items = (names.length === 0 ? [''] : names)
    .map((n) => `<soap:ServiceStatus>${escapeXml(n)}</soap:ServiceStatus>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns:soap="${CONTROL_CENTER_NS}">` +
    `<soapenv:Header/><soapenv:Body><soap:soapGetServiceStatus>${items}</soap:soapGetServiceStatus>` +
    '</soapenv:Body></soapenv:Envelope>'
  );
}

export function controlCenterHeaders(): Record<string, string> {
  return {
    'content-type': 'text/xml; charset=utf-8',
    accept: 'text/xml',
    soapaction: '"soapGetServiceStatus"',
  };
}
