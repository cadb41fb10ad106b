import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { fastParseAll } from '../../src/render/fastparse.js';
import { memoryReader } from '../../src/fs.js';
import { loadRepo } from '../../src/render/load.js';
import { resolveRepo } from '../../src/render/resolve.js';
import { planRepo } from '../../src/render/plan.js';
import { compileTemplates, runTemplate } from '../../src/render/template.js';
import { realInputs } from './fixture.js';

/** What the pipeline takes from the library: the non-empty documents' values, or errors. */
function library(text: string): unknown[] | 'error' {
  const docs = parseAllDocuments(text);
  if (docs.some((d) => d.errors.length > 0)) return 'error';
  try {
    return docs.map((d) => d.toJS() as unknown).filter((v) => v !== null && v !== undefined);
  } catch {
    return 'error';
  }
}

function fast(text: string): unknown[] | undefined {
  return fastParseAll(text)?.filter((v) => v !== null);
}

const tricky = [
  'a: 1\nb: "1.10"\nc: 1.10\nd: 0755\ne: 0o17\nf: 0x1F\ng: 1e3\nh: -1\ni: +1\nj: .5\nk: .inf\nl: .nan\n',
  'a: true\nb: True\nc: yes\nd: no\ne: on\nf: null\ng: ~\nh:\ni: Null\nj: NULL\nk: y\n',
  'a: "x: y"\nb: \'it\'\'s\'\nc: "#not a comment"\nd: x # comment\ne: x#y\nf: "a\\nb"\ng: "\\u00e9\\ud83c\\udf89"\n',
  'a: *alias\n',
  'a: &anchor 1\n',
  'a: !tag x\n',
  'a: |\n  text\n',
  'a: >\n  text\n',
  'a: @x\n',
  'a: `x\n',
  'a: %x\n',
  'a: b: c\n',
  'a: 1\na: 2\n',
  'a:\n  - x\n  b: 1\n',
  'a: [x,\n  y]\n',
  'a: multi\n  line\n',
  '? a\n: b\n',
  'a:\n- x\n- y\nb: 2\n',
  'list:\n  - - a\n    - b\n  - c\n',
  '- a: 1\n  b: [1, 2]\n- {c: d, "e": "f"}\n- []\n- {}\n-\n',
  'a: [Ingress, Egress]\nb: [ALL]\nc: {}\nd: [ "x" ]\ne: [1, -2, 3.5, 1.5e+21]\nf: {"k":{"l":[true,false,null]}}\n',
  'a: [a b]\n',
  'a: [a: 1]\n',
  'a: {a:1}\n',
  'a: [a, ]\n',
  'a: ["x" y]\n',
  'a: "x" y\n',
  'a: "\\x41"\n',
  'a: "\\e"\n',
  '__proto__: 1\n',
  'true: 1\n',
  '1: a\n',
  '"quoted key": 1\n',
  'a b: 1\n',
  'a : 1\n',
  'a:1\n',
  'a:\tb\n',
  'a: b\r\n',
  '---\na: 1\n---\n---\nb: 2\n',
  '# only a comment\n',
  '--- x\n',
  'a: 1\n...\n',
  '%YAML 1.2\n---\na: 1\n',
  '  a: 1\n  b: 2\n',
  'a:\n    b: 1\n  c: 2\n',
  '- a\nb: 1\n',
  'a: ?x\nb: :x\nc: -x\nd: x:\n',
  'a: - x\n',
  'a: ? x\n',
  'a: [http://x.y/z]\n',
  'a: http://x.y:8080/z\n',
  'ünï: 1\n',
  'a: ünïcödé 日本\n',
  'a: 10s\nb: 3m\nc: ServerSideApply=true\n',
  'a: "unterminated\n',
  "a: 'unterminated\n",
  'a: [1, 2\n',
  'a: {"x": 1\n',
  'a: [1, 2]]\n',
  'a: "x"]\n',
  'a: |\n  t\n',
  'a: |-\n  t\n',
  'a: |\n  t\n\n',
  'a: |\n  t\n\n  u\n',
  'a: |\n  t\n    more\n  back\nb: 1\n',
  'a: |\n  t\n\n\nb: 1\n',
  'a: |\n   t\n  u\n',
  '- |\n  t\n- x\n',
  '- |\n t\n',
  'x:\n- |\n  t\n',
  'x:\n  - a: |\n      t\n    b: 2\n',
  'x:\n  - a: |\n     t\n    b: 2\n',
  'x:\n  - a: |\n    t\n',
  'x:\n  - - |\n     t\n',
  'a: |\n  # not a comment\n  ---\n  x: y\nb: 2\n---\nc: |-\n  z\n',
  'a: |\n\n  t\n',
  'a: |\n  t\n \n',
  'a: |\nb: 1\n',
  'a: |\n  t',
  'a: |-\n  t\n\n\n',
  'a:\n  b: |\n    x\n   y\n',
  'a: |\n  t  \n',
  'a: |\n  "q" \\ x\n',
  'k: v |\n',
  'a: |+\n  t\n',
  'a: |2\n   t\n',
  'a: | # c\n  t\n',
];

describe('fastParseAll', () => {
  it('reads every template output of the repository, with the values the yaml library gives', async () => {
    const loaded = (await loadRepo(memoryReader(realInputs()))).repo!;
    const { compiled } = compileTemplates(loaded.templates);
    const texts = planRepo(resolveRepo(loaded).resolved!).map((job) => {
      const template = compiled.get(job.template)!;
      const ran = runTemplate(template, job);
      expect(ran).not.toHaveProperty('problem');
      return { text: (ran as { text: string }).text, templateFile: template.file };
    });
    // The post-deploy tests carry their check script as a literal block scalar, for a reviewer to read in the diff.
    expect(texts.some(({ text }) => /(?::|-) \|\n/.test(text))).toBe(true);
    for (const { text, templateFile } of texts) {
      const mine = fast(text);
      expect(mine, `${templateFile} is outside the fast subset`).toBeDefined();
      expect(mine, templateFile).toEqual(library(text));
    }
    expect(texts.length).toBeGreaterThan(100);
  });

  it('gives the library values for tricky input, or leaves it to the library', () => {
    let handled = 0;
    for (const text of tricky) {
      const mine = fast(text);
      const theirs = library(text);
      if (mine === undefined) continue;
      handled++;
      expect(theirs, `accepted input the library rejects: ${JSON.stringify(text)}`).not.toBe('error');
      expect(mine, JSON.stringify(text)).toEqual(theirs);
    }
    expect(handled).toBeGreaterThan(10);
  });

  it('leaves anchors, aliases, tags, folded and keep-chomped block scalars, duplicate keys and multi-line values to the library', () => {
    for (const text of ['a: *x\n', 'a: &x 1\n', 'a: !t x\n', 'a: >\n  t\n', 'a: |+\n  t\n', 'a: |\n\n  t\n', 'a: 1\na: 2\n', 'a: [x,\n  y]\n', 'a: b\n  c\n', 'a: 0x1F\n']) {
      expect(fastParseAll(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});
