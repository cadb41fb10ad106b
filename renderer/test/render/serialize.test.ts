import { describe, expect, it } from 'vitest';
import { libraryToYaml, toYaml } from '../../src/render/emit.js';
import { committedOutput, renderedObjects } from './fixture.js';

const tricky = [
  '',
  ' ',
  'a',
  '1',
  '1.10',
  '1.8.3',
  '0755',
  '0o17',
  '0x1F',
  '1e3',
  '-1',
  '+1',
  '.5',
  '.inf',
  '-.inf',
  '.nan',
  'NaN',
  'true',
  'True',
  'TRUE',
  'false',
  'null',
  'Null',
  'NULL',
  '~',
  '<<',
  '=',
  '1:20',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  'Yes',
  '*',
  '*star',
  '&anchor',
  '!tag',
  '#comment',
  'a #b',
  'a#b',
  ':',
  'a:',
  'a: b',
  'a:b',
  'http://x.y:8080/p',
  '-',
  '- a',
  '-a',
  '?',
  '? a',
  '?a',
  '@at',
  '`tick',
  '%pct',
  '|',
  '>',
  "'",
  '"',
  "it's",
  'say "hi"',
  `both ' and "`,
  '[a]',
  '{a}',
  'a,b',
  '---',
  '--- a',
  '---a',
  '...',
  'a\nb',
  'a\n',
  '\n',
  'line1\n---\nline3',
  'trailing ',
  ' leading',
  'tab\there',
  'ctl\u0001',
  'del\u007f',
  'ünïcödé',
  '日本語',
  'emoji 🎉',
  'lone \ud800 surrogate',
  'x'.repeat(1200),
  'a'.repeat(80) + ' ' + 'b'.repeat(80),
  '500m',
  '1Gi',
  '10.10.64.0/20',
  '111111111111.dkr.ecr.us-east-1.amazonaws.com/berrys/app-0001:1.2.3',
  '1:20/x',
  '12:30:00/x',
  '2001-12-14/x',
  '1_000/a',
  '0x1F/b',
  '0o17/c',
  '1e3/d',
  '1.2.3',
  '1.0.0-rc.1',
  '1..2',
  '1.2.',
  '0.5.e3',
  '12:30.5.1',
  '1/',
  '1.2.3:',
  '1/2:',
  '2024-01-01',
  '12:30',
  '1_000',
  '=',
  'ServerSideApply=true',
  'a=b c',
];

describe('toYaml', () => {
  it('writes every committed rendered object exactly as the yaml library does', () => {
    let compared = 0;
    for (const { file, object } of renderedObjects(committedOutput())) {
      expect(toYaml(object), file).toBe(libraryToYaml(object));
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('writes tricky strings as values, keys and list items exactly as the yaml library does', () => {
    for (const s of tricky) {
      for (const value of [{ k: s }, { [s]: 'v' }, { list: [s, { [s]: s }] }, [s], { a: { b: [[s, s], { c: s }] } }]) {
        expect(toYaml(value), JSON.stringify(value)).toBe(libraryToYaml(value));
      }
    }
  });

  it('writes nesting, empty collections, numbers and null exactly as the yaml library does', () => {
    const values: unknown[] = [
      { a: {}, b: [], c: null, d: 0, e: -0, f: 1.5, g: 1e21, h: -3, i: true, j: false, k: undefined },
      { list: [[], {}, null, [[1, [2]], { x: [] }], { y: { z: {} } }] },
      [{ a: 1, b: [1, 2] }, [{ c: 3 }]],
      { nan: NaN, inf: Infinity },
      { date: new Date(0) },
      { arr: [undefined, 1] },
      { '80': 'port', '': 'empty key', 'a b': 1 },
      {},
      [],
      'top-level string',
      42,
    ];
    for (const value of values) expect(toYaml(value), String(JSON.stringify(value))).toBe(libraryToYaml(value));
  });
});
