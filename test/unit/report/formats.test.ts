/**
 * The monitoring renderers with hostile text in a report (as a peer can put it there through
 * a stream error text, a certificate name or a DNS record): nothing may break out of its
 * format. Also the measurements they share, and the nagios state mapping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeData, escapeProperty, renderGithub, renderGithubSummary } from '../../../src/report/github.js';
import { renderJunit } from '../../../src/report/junit.js';
import { mdText, renderMarkdown } from '../../../src/report/markdown.js';
import type { Finding, Report } from '../../../src/report/model.js';
import { nagiosState, renderNagios, renderNagiosUnknown } from '../../../src/report/nagios.js';
import { renderProbeMetrics } from '../../../src/report/prometheus.js';
import { assertValidJunit, xmllintMissing } from '../../helpers/junit.js';

const HOSTILE =
  'evil\n::error::injected | x=1 <b>&amp;</b> "q" \u202egnp.exe `code` [l](http://x) \u001b[31m';

function finding(severity: Finding['severity'], over: Partial<Finding> = {}): Finding {
  return {
    id:
      severity === 'error'
        ? 'xmpp.stream.error-other'
        : severity === 'warning'
          ? 'dns.srv.missing'
          : 'dns.srv.ok',
    severity,
    title: `Title ${HOSTILE}`,
    symptom: `Symptom ${HOSTILE}`,
    cause: `Cause ${HOSTILE}`,
    fix: `Fix ${HOSTILE}`,
    evidence: { text: HOSTILE, caFile: '/home/admin/secret-ca.pem', port: 5269 },
    refs: ['https://www.rfc-editor.org/rfc/rfc6120'],
    ...over,
  };
}

function report(findings: Finding[], over: Partial<Report> = {}): Report {
  const status = findings.some((f) => f.severity === 'error')
    ? 'fail'
    : findings.some((f) => f.severity === 'warning')
      ? 'warn'
      : 'pass';
  return {
    schemaVersion: 1,
    tool: { name: 'xfed', version: '0.1.0' },
    command: 'probe tls',
    target: 'example.test',
    options: { ca: ['/home/admin/secret-ca.pem'] },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 120,
    status,
    findings,
    facts: {},
    ...over,
  };
}

describe('nagios renderer', () => {
  it('maps status to plugin states and exit codes', () => {
    assert.equal(nagiosState('pass'), 'OK');
    assert.equal(nagiosState('warn'), 'WARNING');
    assert.equal(nagiosState('warn', 'warning'), 'CRITICAL');
    assert.equal(nagiosState('fail'), 'CRITICAL');
    assert.equal(renderNagios([report([finding('info')])], 'error').exitCode, 0);
    assert.equal(renderNagios([report([finding('warning')])], 'error').exitCode, 1);
    assert.equal(renderNagios([report([finding('error')])], 'error').exitCode, 2);
    assert.equal(renderNagios([], 'error').exitCode, 3);
  });

  it('keeps untrusted text on its line and out of the perfdata', () => {
    const out = renderNagios([report([finding('error'), finding('warning')])], 'error').text;
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 2, out);
    assert.match(
      lines[0] as string,
      /^XFED PROBE TLS CRITICAL - example\.test: Title evil\\x0a::error::injected \/ x=1/,
    );
    assert.ok(!out.includes('|'), 'a | from the peer would start perfdata');
    assert.ok(!out.includes('\u202e') && !out.includes('\u001b'));
    assert.match(
      renderNagiosUnknown('probe tls', 'bad\nthing | x'),
      /^XFED PROBE TLS UNKNOWN - bad\\x0athing \/ x\n$/,
    );
  });
});

describe('junit renderer', () => {
  const skip = xmllintMissing();
  it('escapes markup and control characters and stays schema-valid', { skip }, () => {
    const xml = renderJunit([report([finding('error'), finding('warning'), finding('info')])], 'error');
    assertValidJunit(xml);
    assert.ok(!xml.includes('<b>') && xml.includes('&lt;b&gt;&amp;amp;&lt;/b&gt;'));
    assert.ok(!xml.includes('\u001b') && !xml.includes('\u202e'));
    assert.equal(xml.match(/<failure /g)?.length, 1);
    assert.equal(renderJunit([report([finding('warning')])], 'warning').match(/<failure /g)?.length, 1);
  });

  it('a report without findings is still one passing testcase', { skip }, () => {
    const xml = renderJunit([report([])], 'error');
    assertValidJunit(xml);
    assert.match(xml, /tests="1" failures="0"/);
  });

  it('the schema check itself rejects a testsuite without its required attributes', { skip }, () => {
    assert.throws(() => assertValidJunit('<testsuites><testsuite name="x"/></testsuites>'), /junit-10\.xsd/);
  });
});

describe('github renderer', () => {
  it('escapes data and properties as the runner unescapes them', () => {
    assert.equal(escapeData('50%\r\nx'), '50%25%0D%0Ax');
    assert.equal(escapeProperty('a:b,c%'), 'a%3Ab%2Cc%25');
  });

  it('one command per line: a newline from the peer cannot start a second command', () => {
    const out = renderGithub(report([finding('error'), finding('warning'), finding('info')]));
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(
      lines[0] as string,
      /^::error title=xfed probe tls example\.test%3A Title evil\\x0a%3A%3Aerror%3A%3Ainjected/,
    );
    assert.match(lines[1] as string, /^::warning title=/);
    assert.match(lines[2] as string, /^::debug::/);
    assert.ok(!out.includes('\u001b') && !out.includes('\u202e'));
  });

  it('summary table escapes the target', () => {
    const md = renderGithubSummary([report([finding('error')], { target: 'a|b' })]);
    assert.match(md, /\| a\\\|b \| fail \| 1 \| 0 \|/);
  });
});

describe('markdown renderer', () => {
  it('escapes Markdown and HTML, leaves out local paths and options, no colour', () => {
    const md = renderMarkdown(report([finding('error')]));
    assert.ok(!md.includes('/home/admin'), 'local path leaked');
    assert.match(md, /caFile: \(local path left out\)/);
    // Evidence values are code spans (literal there); everything else is prose.
    const prose = md
      .split('\n')
      .filter((l) => !l.startsWith('  - '))
      .join('\n');
    assert.match(md, /^ {2}- text: ``evil ::error::injected \| x=1 <b>/m);
    assert.ok(!prose.includes('<b>'), 'raw HTML from the peer outside code spans');
    assert.ok(md.includes('\\<b\\>'));
    assert.ok(!prose.includes('[l](http://x)'), 'a link from the peer');
    assert.ok(!md.includes('\u001b') && !md.includes('\u202e'));
    assert.equal(mdText('a*b_c`d'), 'a\\*b\\_c\\`d');
  });

  it('evidence with backticks keeps its code span closed', () => {
    const md = renderMarkdown(report([finding('warning', { evidence: { v: 'x``y' } })]));
    assert.match(md, /v: ```x``y```/);
  });
});

describe('prometheus renderer', () => {
  it('escapes label values and reports each non-info finding once', async () => {
    const out = await renderProbeMetrics({
      module: 'tls',
      target: 'example.test',
      report: report([finding('error', { id: 'a.b.c"}\nx' }), finding('info')]),
      durationSeconds: 0.5,
      timedOut: false,
    });
    assert.match(out.body, /^xfed_probe_success 0$/m);
    assert.match(
      out.body,
      /^xfed_finding\{id="a\.b\.c\\"\}\\\\x0ax",severity="error",target="example\.test"\} 1$/m,
    );
    assert.equal(out.body.match(/^xfed_finding\{/gm)?.length, 1);
  });

  it('a probe cut off by its deadline is a failure with xfed_probe_timeout 1', async () => {
    const out = await renderProbeMetrics({
      module: 'srv',
      target: 'x.test',
      durationSeconds: 2,
      timedOut: true,
    });
    assert.match(out.body, /^xfed_probe_success 0$/m);
    assert.match(out.body, /^xfed_probe_timeout 1$/m);
  });
});
