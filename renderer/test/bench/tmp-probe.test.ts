import { it } from 'vitest';
import { fastParseAll } from '../../src/fastparse.js';
const t = ['a: true\nb: True\nc: yes\nd: no\ne: on\nf: null\ng: ~\nh:\ni: Null\nj: NULL\nk: y\n',
  'a: "x: y"\nb: \'it\'\'s\'\nc: "#not a comment"\nd: x # comment\ne: x#y\nf: "a\\nb"\ng: "\\u00e9\\ud83c\\udf89"\n',
'a:\n- x\n- y\nb: 2\n', 'list:\n  - - a\n    - b\n  - c\n', '- a: 1\n  b: [1, 2]\n- {c: d, "e": "f"}\n- []\n- {}\n-\n',
  'a: [Ingress, Egress]\nb: [ALL]\nc: {}\nd: [ "x" ]\ne: [1, -2, 3.5, 1.5e+21]\nf: {"k":{"l":[true,false,null]}}\n','---\na: 1\n---\n---\nb: 2\n','  a: 1\n  b: 2\n','a: ?x\nb: :x\nc: -x\nd: x:\n','a: [http://x.y/z]\n', 'a: http://x.y:8080/z\n', 'ünï: 1\n', 'a: ünïcödé 日本\n', 'a: 10s\nb: 3m\nc: ServerSideApply=true\n'];
it('probe', () => { for (const x of t) console.log(JSON.stringify(x), JSON.stringify(fastParseAll(x))); });
