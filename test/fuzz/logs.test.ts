/**
 * Property tests (fast-check, fixed seed) for the Expressway/XCP log-line tokenizer: it never
 * throws and stays linear on arbitrary text, and it gives back exactly the pairs a line was
 * built from, whatever header, separators, padding and `Level="…":` colon surround them.
 * Also: the line classifier and the event extractors never throw on arbitrary lines.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ciscoEvents,
  classifyLine,
  ejabberdEvents,
  prosodyEvents,
} from '../../src/protocol/logs/families.js';
import { MAX_PAIRS, tokenizeKv } from '../../src/protocol/logs/kv.js';

const SEED = 20_240_502;
const RUNS = 10_000;

const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,20}$/);
/** Values as Expressway writes them: anything but a double quote or a line break (single quotes, '=', ':' allowed). */
const value = fc.string({ maxLength: 60 }).map((s) => s.replace(/["\u201c\u201d\r\n]/g, "'"));
const header = fc.constantFrom(
  '',
  '2020-08-12T14:57:53.872-05:00 expc01 tvcs: ',
  'xwayc XCP_JABBERD[23843]: ',
  'XCP_CM2[12122]:..',
  '2020-07-21T15:16:46.950-05:00 expc02 replication: ',
  'Nov 30 18:47:51 expe alarm: ',
);
const sep = fc.constantFrom(' ', '  ', ':  ', '\t', ' : ');
const eq = fc.constantFrom('=', ' =', '= ', ' = ');

describe('log-line tokenizer (fast-check)', () => {
  it(`round-trips generated Key="value" lines (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        header,
        fc.array(fc.tuple(key, value, eq, sep), { minLength: 1, maxLength: 12 }),
        (h, pairs) => {
          const line = h + pairs.map(([k, v, e, s], i) => `${i ? s : ''}${k}${e}"${v}"`).join('');
          const got = tokenizeKv(line);
          assert.deepEqual(
            got.pairs.map((p) => [p.key, p.value]),
            pairs.map(([k, v]) => [k, v]),
            line,
          );
          assert.equal(got.open, false);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it(`never throws, keeps at most ${MAX_PAIRS} pairs, and every key is a key (${RUNS} runs of arbitrary text)`, () => {
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc
        .array(fc.constantFrom('"', '=', ' ', 'A', 'Level', ':', '\u201d', '<', "'", '\n', 'x'), {
          maxLength: 200,
        })
        .map((a) => a.join('')),
    );
    fc.assert(
      fc.property(text, (s) => {
        const got = tokenizeKv(s);
        assert.ok(got.pairs.length <= MAX_PAIRS);
        for (const p of got.pairs) assert.match(p.key, /^[A-Za-z_][\w.-]*$/);
        const c = classifyLine(s);
        const ref = { file: 'f', line: 1, quote: '' };
        if (c?.family === 'cisco') ciscoEvents(s, ref);
        prosodyEvents('s2sin1', s, ref);
        ejabberdEvents('<0.1.0>', 'ejabberd_s2s_in:x/1:1', s, ref);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('stays linear: a 1 MB line of quotes and equals signs tokenizes in well under a second of CPU', () => {
    for (const unit of ['="', 'a="', '" ', 'A=" "x', '=\u201d ']) {
      const s = unit.repeat(Math.ceil(1_000_000 / unit.length));
      // CPU time, not wall time: the shared test machine runs at load 20, which says nothing about
      // the tokenizer (a quadratic scan of 1 MB would take minutes either way).
      const t0 = process.cpuUsage();
      tokenizeKv(s);
      const used = process.cpuUsage(t0);
      const ms = (used.user + used.system) / 1000;
      assert.ok(ms < 1000, `${JSON.stringify(unit)}: ${ms.toFixed(0)} ms CPU`);
    }
  });
});
