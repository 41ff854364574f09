/**
 * Catalog: findings of area 'cisco' (xfed cisco services: IM and Presence service state through
 * Control Center Services, the "XCP Router not restarted" symptom of TAC 213865; reference
 * cisco-and-peers §1-2). Connection and TLS failures keep their axl.* ids (same Tomcat, same port).
 * IDs are forever (report contract, "Finding IDs").
 */
import { AXL_WEB_SERVICE, XCP_CONFIG_MANAGER, XCP_ROUTER } from '../../facts/cisco.js';
import { defineCatalog } from './types.js';

const CC_API = 'https://developer.cisco.com/docs/sxml/control-center-services-api';
const CC_OVERVIEW = 'https://developer.cisco.com/site/sxml/discover/overview/service-control';
const TAC_213865 =
  'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/213865-configure-and-troubleshoot-xmpp-federati.html';
const IMP_DEPLOYMENT =
  'http://www.cisco.com/en/US/docs/voice_ip_comm/cucm/im_presence/deployment/9_1_1/CUP0_BK_D5B4C107_00_deployment-guide-for-imp-91_chapter_0101.html';
const INTERDOMAIN =
  'https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/cucm/im_presence/interdomain_federation/12_5_1/cup0_b_interdomain-federation-1251su3/cup0_b_interdomain-federation-1251su3_chapter_01101.html';

const node = { host: 'imp1.example.com', port: 8443, hostPort: 'imp1.example.com:8443' };
const url = 'https://imp1.example.com:8443/controlcenterservice2/services/ControlCenterServices';
const request = 'POST soapGetServiceStatus';
/** Where an admin sees and changes service state by hand (the {ui} of the entries below). */
export const CONTROL_CENTER_UI =
  'Cisco Unified IM and Presence Serviceability, Tools > Control Center - Network Services or Feature Services';

/** What a stopped or deactivated federation service means (the {impact} of the entries below). */
export const SERVICE_IMPACT: Readonly<Record<string, string>> = {
  [XCP_ROUTER]:
    'Without the XCP Router there is no XMPP routing on this node: no availability, instant messaging or federation for its users.',
  [XCP_CONFIG_MANAGER]:
    'The XCP Config Manager applies configuration changes to the XCP services and raises the "requires a restart" notifications; without it, federation changes are not applied on this node.',
  [AXL_WEB_SERVICE]:
    'Expressway-C updates the xmpps2snodes table over AXL; if this node is the database publisher, those writes fail and federation works one way only.',
};

export const ciscoCatalog = defineCatalog({
  'cisco.auth.not-attempted': {
    severity: 'warning',
    title: 'Service state of {host} not read: its certificate is not verified',
    symptom:
      'xfed did not send the password of {user} to {hostPort}, so the IM and Presence services of {host} were not checked.',
    cause:
      'The Tomcat certificate of {host} failed verification ({certError}). xfed sends the application user credentials only to a server it can verify.',
    fix: 'Fix the certificate first (see the certificate findings): add the issuing CA with --ca <file>, or fix the tomcat certificate on {host}. To read the service state anyway, add --insecure.',
    refs: [CC_API],
    exampleEvidence: { ...node, user: 'xfed-monitor', certError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
  },
  'cisco.auth.unauthorized': {
    severity: 'error',
    title: 'Control Center Services on {host} rejected the credentials of {user} (HTTP 401)',
    symptom: '{url} answered {request} with 401 Unauthorized, so the service state of {host} is unknown.',
    cause:
      'The password or the user name of the application user {user} is wrong, or the account is locked (failed logins, credential policy).',
    fix: 'In Cisco Unified CM Administration (User Management > Application User), check {user}: reset its password or unlock it, then run xfed again. xfed axl-auth with the same user tells a bad password from a missing role on the AXL side.',
    refs: [CC_OVERVIEW],
    exampleEvidence: { ...node, url, user: 'xfed-monitor', request },
  },
  'cisco.auth.forbidden': {
    severity: 'error',
    title: '{user} may not read service state on {host} (HTTP 403): a serviceability role is missing',
    symptom:
      '{url} answered {request} with 403 Forbidden: the password is right, but {user} may not use Control Center Services.',
    cause:
      'The user lacks the serviceability role. Cisco documents no minimal role for reading service state; tools that read it give the user Standard CCM Admin Users and Standard SERVICEABILITY Administration (unconfirmed as the minimum). An application user made for Expressway-C usually has only Standard AXL API Access: enough for AXL, not for Control Center Services.',
    fix: 'In Cisco Unified CM Administration, add {user} to an access control group with the roles Standard CCM Admin Users and Standard SERVICEABILITY Administration (User Management > User Settings > Access Control Group), or use a separate monitoring user with those roles, then run xfed again.',
    refs: [CC_OVERVIEW, CC_API],
    exampleEvidence: { ...node, url, user: 'expressway-axl', request },
  },
  'cisco.control-center.not-found': {
    severity: 'error',
    title: 'No Control Center Services on {host} (HTTP 404 on {paths})',
    symptom: '{request} to {hostPort} answered 404 Not Found at every path tried: {paths}.',
    cause:
      'Control Center Services is not deployed on this node or release, something in front of {host} rewrites the paths, or {hostPort} is not a Unified CM / IM and Presence node.',
    fix: 'Point xfed at the IM and Presence node itself, on port 8443. Check in a browser that https://{hostPort}/controlcenterservice2/services/ControlCenterServices?wsdl shows the WSDL. Until then, check the services by hand in {ui}.',
    refs: [CC_API],
    exampleEvidence: {
      ...node,
      request,
      paths: [
        '/controlcenterservice2/services/ControlCenterServices',
        '/controlcenterservice/services/ControlCenterServicesPort',
      ],
      ui: CONTROL_CENTER_UI,
    },
  },
  'cisco.control-center.not-soap': {
    severity: 'error',
    title: '{hostPort} did not answer like Control Center Services',
    symptom:
      '{request} to {path} got HTTP {status} ({contentType}), which is not a soapGetServiceStatus answer: {answer}',
    cause:
      'Another web server, a login portal, a load balancer or a proxy answers on {hostPort}, or the node runs a release whose Control Center Services answers differently.',
    fix: 'Use the IM and Presence node name and port 8443. Run again with --transcript to see the answer; if the node really answered this, check the services by hand in {ui}.',
    refs: [CC_API],
    exampleEvidence: {
      ...node,
      request,
      path: '/controlcenterservice2/services/ControlCenterServices',
      status: 200,
      contentType: 'text/html',
      answer: 'HTML page "Cisco Unified Communications": Welcome',
      ui: CONTROL_CENTER_UI,
    },
  },
  'cisco.control-center.fault': {
    severity: 'error',
    title: 'Control Center Services on {host} answered with a SOAP fault',
    symptom:
      '{request} answered HTTP {status} with a SOAP fault: faultcode {faultcode}, faultstring "{faultstring}".',
    cause: 'Control Center Services on {host} accepted the credentials but failed the request.',
    fix: 'Run again later; if it persists, check Cisco Tomcat on {host} (RTMT, or utils service list on the CLI) and check the services by hand in {ui}.',
    refs: [CC_API],
    exampleEvidence: {
      ...node,
      request,
      status: 500,
      faultcode: 'soapenv:Server',
      faultstring: 'java.lang.NullPointerException',
      ui: CONTROL_CENTER_UI,
    },
  },
  'cisco.control-center.rate-limited': {
    severity: 'error',
    title: 'Control Center Services on {host} is limiting the request rate',
    symptom:
      '{request} was refused as too frequent ({answer}); xfed waited {waitedMs} ms, retried once, and was refused again.',
    cause:
      'Control Center Services limits how often it answers; other monitoring tools or scripts are asking {host} at the same time.',
    fix: 'Wait a minute and run xfed again, with a --timeout of at least 10s so the wait before the retry is not cut short; spread out other tools that poll Control Center Services on {host}.',
    refs: [CC_API],
    exampleEvidence: { ...node, request, answer: 'SOAP fault "Exceeded allowed rate"', waitedMs: 10000 },
  },
  'cisco.control-center.unexpected-status': {
    severity: 'error',
    title: 'Unexpected HTTP {status} from Control Center Services on {host}',
    symptom: '{request} to {path} answered HTTP {status} (Location: {location}): {answer}',
    cause:
      'Control Center Services answers 200, or 401, 403, 404 and 500 for known problems. Any other status means a proxy, a load balancer or another web application answered, or Cisco Tomcat is in a bad state.',
    fix: 'Make sure {hostPort} reaches the IM and Presence node directly, with no proxy that redirects or rewrites. Check Cisco Tomcat on {host}.',
    refs: [CC_API],
    exampleEvidence: {
      ...node,
      request,
      path: '/controlcenterservice2/services/ControlCenterServices',
      status: 302,
      location: 'https://imp1.example.com:8443/cupadmin/',
      answer: '(empty)',
    },
  },
  'cisco.http.timeout': {
    severity: 'error',
    title: 'No answer from Control Center Services on {host} within {timeoutMs} ms',
    symptom: '{request}: the connection was up, but the {phase} did not arrive within {timeoutMs} ms.',
    cause:
      'Cisco Tomcat on {host} accepts connections but does not answer: overloaded, hung or still starting; or a proxy in between holds the request.',
    fix: 'Check Cisco Tomcat and CPU on {host} in RTMT; run again with a longer --timeout to tell slow from hung.',
    refs: [CC_API],
    exampleEvidence: { ...node, request, phase: 'response headers', timeoutMs: 10000 },
  },
  'cisco.http.failed': {
    severity: 'error',
    title: 'The Control Center Services request to {host} failed ({reason})',
    symptom: '{request}: {message}.',
    cause:
      'The connection was closed or reset before a complete answer arrived, or the answer was longer than xfed reads ({limitBytes} bytes).',
    fix: 'Look for firewalls, load balancers or IPS devices between this machine and {hostPort} that cut HTTPS sessions, and check Cisco Tomcat on {host}. Run again with --transcript to see how far the exchange got.',
    refs: [CC_API],
    exampleEvidence: {
      ...node,
      request,
      reason: 'closed',
      message: 'other side closed',
      limitBytes: 1048576,
    },
  },
  'cisco.service.status': {
    severity: 'info',
    title: '{service} on {host}: {status}',
    symptom:
      'Control Center Services on {host} reports {service} as {status}; started {startTime}; up {upTime}.',
    cause: 'Read with soapGetServiceStatus: {activation}.',
    fix: 'Nothing to fix here; this records the state of the service at {answeredAt}.',
    refs: [CC_API],
    exampleEvidence: {
      ...node,
      service: 'Cisco XCP Router',
      status: 'Started',
      startTime: 'Mon Jan  5 15:12:03 2015',
      upTime: '2 d 03:04:05',
      activation: 'ReasonCode -1, the service is activated',
      answeredAt: '2015-01-07T18:16:08.000Z',
    },
  },
  'cisco.service.stopped': {
    severity: 'error',
    title: '{service} is stopped on {host}',
    symptom: 'Control Center Services on {host} reports the activated service {service} as Stopped. {impact}',
    cause: 'The service was stopped by hand, failed to start, or crashed and was not restarted.',
    fix: 'Start {service} on {host} in {ui}, or on the CLI with utils service start {service}; if it stops again, collect its trace files with RTMT.',
    refs: [IMP_DEPLOYMENT, CC_API],
    exampleEvidence: {
      ...node,
      service: 'Cisco XCP Router',
      impact: SERVICE_IMPACT[XCP_ROUTER],
      ui: CONTROL_CENTER_UI,
    },
  },
  'cisco.service.changing': {
    severity: 'warning',
    title: '{service} is {status} on {host}',
    symptom: 'Control Center Services on {host} reports {service} as {status}.',
    cause:
      'The service is being started or stopped right now (by an admin, a cluster restart, or the XCP Router restarting the XCP services).',
    fix: 'Wait a minute and run xfed again; if {service} stays {status}, check it in {ui} and collect its trace files with RTMT.',
    refs: [CC_API],
    exampleEvidence: { ...node, service: 'Cisco XCP Router', status: 'Starting', ui: CONTROL_CENTER_UI },
  },
  'cisco.service.unknown': {
    severity: 'warning',
    title: 'The state of {service} on {host} is unknown ({status})',
    symptom: 'Control Center Services on {host} reports {service} as "{status}".',
    cause:
      'Control Center could not tell the state of the service (status Unknown), or answered with a status that is none of Started, Stopped, Starting, Stopping, Unknown.',
    fix: 'Check {service} in {ui}; on the CLI, utils service list shows the state the platform sees.',
    refs: [CC_API],
    exampleEvidence: {
      ...node,
      service: 'Cisco XCP Config Manager',
      status: 'Unknown',
      ui: CONTROL_CENTER_UI,
    },
  },
  'cisco.service.not-activated': {
    severity: 'error',
    title: '{service} is not activated on {host}',
    symptom:
      'Control Center Services on {host} reports {service} with ReasonCode {reasonCode}: "{reasonCodeString}" (status {status}). {impact}',
    cause: 'The service is deactivated in Service Activation on this node (a ReasonCode other than -1).',
    fix: 'In Cisco Unified IM and Presence Serviceability on {host}, open Tools > Service Activation, activate {service}, then check that it is Started in {ui}.',
    refs: [IMP_DEPLOYMENT, CC_API],
    exampleEvidence: {
      ...node,
      service: 'Cisco XCP Router',
      reasonCode: -1068,
      reasonCodeString: 'Service Not Activated',
      status: 'Stopped',
      impact: SERVICE_IMPACT[XCP_ROUTER],
      ui: CONTROL_CENTER_UI,
    },
  },
  'cisco.axl-service.not-activated': {
    severity: 'warning',
    title: 'Cisco AXL Web Service is not activated on {host}',
    symptom:
      'Control Center Services on {host} reports Cisco AXL Web Service with ReasonCode {reasonCode}: "{reasonCodeString}" (status {status}).',
    cause:
      'The service is deactivated on this node. Expressway-C writes the xmpps2snodes table over AXL on the IM and Presence database publisher; Cisco recommends keeping the AXL Web Service activated there (it is activated by default on every node).',
    fix: 'If {host} is the IM and Presence database publisher, activate Cisco AXL Web Service in Tools > Service Activation and refresh the IM and Presence server discovery on Expressway-C. On a subscriber that nothing sends AXL requests to, this can be deliberate.',
    refs: [TAC_213865, CC_API],
    exampleEvidence: {
      ...node,
      reasonCode: -1068,
      reasonCodeString: 'Service Not Activated',
      status: 'Stopped',
    },
  },
  'cisco.service.missing': {
    severity: 'warning',
    title: '{host} does not list {service}',
    symptom: 'xfed asked Control Center Services on {host} for {service}, and the answer does not list it.',
    cause:
      '{host} is probably not an IM and Presence node (a Unified CM node has no XCP services), or the service is not installed on this release.',
    fix: 'Run xfed cisco services against every IM and Presence node of the cluster (the names under System > Presence Topology in IM and Presence Administration), not against Unified CM.',
    refs: [CC_API, TAC_213865],
    exampleEvidence: { ...node, service: 'Cisco XCP Router' },
  },
  'cisco.service.other-stopped': {
    severity: 'warning',
    title: '{service} is stopped on {host}',
    symptom: 'Control Center Services on {host} reports the activated service {service} as Stopped (--all).',
    cause:
      'An activated service is not running: stopped by hand, failed to start, or crashed. It is not one of the services federation needs, so this may not explain a federation problem.',
    fix: 'If the service should run, start it in {ui}; if it is not needed on {host}, deactivate it in Tools > Service Activation so it no longer shows as stopped.',
    refs: [CC_API],
    exampleEvidence: { ...node, service: 'Cisco Presence Engine', ui: CONTROL_CENTER_UI },
  },
  'cisco.federation.imp-also-federating': {
    severity: 'error',
    title: 'IM and Presence node {host} runs its own XMPP federation although Expressway federates',
    symptom:
      'Cisco XCP XMPP Federation Connection Manager is {status} on {host}, but --via expressway says Expressway-E does XMPP federation.',
    cause:
      'When Expressway-E does XMPP federation, XMPP federation must be off on every IM and Presence node: the two paths compete for the same domains and remote servers see an inconsistent peer.',
    fix: 'In Cisco Unified CM IM and Presence Administration, set Presence > Inter-Domain Federation > XMPP Federation > Settings > XMPP Federation Node Status to Off for {host}, stop and deactivate Cisco XCP XMPP Federation Connection Manager there, then restart Cisco XCP Router on {host}.',
    refs: [TAC_213865, INTERDOMAIN],
    exampleEvidence: { ...node, status: 'Started' },
  },
  'cisco.federation.cm-not-running': {
    severity: 'error',
    title:
      'XMPP federation cannot work through {host}: Cisco XCP XMPP Federation Connection Manager is not running',
    symptom:
      'Cisco XCP XMPP Federation Connection Manager on {host} is {state}, but --via imp says IM and Presence does XMPP federation itself.',
    cause:
      'The Federation Connection Manager is the IM and Presence side of server-to-server XMPP; it cannot start unless XMPP federation is turned on for the node, and it must be activated.',
    fix: 'In Cisco Unified CM IM and Presence Administration, set Presence > Inter-Domain Federation > XMPP Federation > Settings > XMPP Federation Node Status to On for {host}; activate Cisco XCP XMPP Federation Connection Manager (Tools > Service Activation) and start it in {ui}; then restart Cisco XCP Router on {host}.',
    refs: [INTERDOMAIN, IMP_DEPLOYMENT],
    exampleEvidence: { ...node, state: 'Stopped', ui: CONTROL_CENTER_UI },
  },
  'cisco.xcp-router.restart-pending': {
    severity: 'error',
    title: 'Cisco XCP Router on {host} has not been restarted since the federation change',
    symptom:
      'Federation fails and the XCP Router on {host} may bounce packets: it has run since {startedAt} ({how}), before the federation settings changed at {changedAt}. IM and Presence Administration may show "Cisco XCP Router : ({host}) requires a restart", but sometimes shows no notification at all.',
    cause:
      'Changes to XMPP federation (including Expressway-C writing the xmpps2snodes table) take effect only when Cisco XCP Router restarts (TAC 213865, symptom 2).',
    fix: 'Restart Cisco XCP Router on {host} in {ui}, or on the CLI with utils service restart Cisco XCP Router; this restarts the active XCP services too. Do this on every IM and Presence node xfed flags. If packets still bounce afterwards, restart the IM and Presence cluster.',
    refs: [TAC_213865, IMP_DEPLOYMENT],
    exampleEvidence: {
      ...node,
      startedAt: '2015-01-05T14:02:11.000Z',
      how: 'answer time minus UpTime 7418 s',
      changedAt: '2015-01-05T15:10:42.000Z',
      ui: CONTROL_CENTER_UI,
    },
  },
  'cisco.xcp-router.restarted-since-change': {
    severity: 'info',
    title: 'Cisco XCP Router on {host} was restarted after the federation change',
    symptom:
      'Cisco XCP Router on {host} has run since {startedAt} ({how}), after the federation settings changed at {changedAt}.',
    cause: 'The restart that federation changes need has happened on this node.',
    fix: 'Nothing to fix here. If packets still bounce, the seed procedure (TAC 213865) says restart the whole IM and Presence cluster.',
    refs: [TAC_213865],
    exampleEvidence: {
      ...node,
      startedAt: '2015-01-05T15:20:00.000Z',
      how: 'answer time minus UpTime 600 s',
      changedAt: '2015-01-05T15:10:42.000Z',
    },
  },
  'cisco.xcp-router.start-unknown': {
    severity: 'warning',
    title: 'When Cisco XCP Router on {host} started is unknown',
    symptom:
      'xfed cannot tell whether Cisco XCP Router on {host} restarted after {changedAt}: the answer has no usable UpTime and a StartTime it cannot read ("{startTime}").',
    cause:
      'Control Center Services left UpTime and StartTime empty, or sent them in a form xfed does not know.',
    fix: 'Check the XCP Router start time by hand in {ui}; if it is earlier than {changedAt}, restart Cisco XCP Router on {host}.',
    refs: [CC_API, TAC_213865],
    exampleEvidence: { ...node, changedAt: '2015-01-05T15:10:42.000Z', startTime: '', ui: CONTROL_CENTER_UI },
  },
});
