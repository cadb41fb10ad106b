/** The diff for a person at a terminal: grouped like the comment, full diffs, colour only when asked (a TTY). */
import type { DiffReport, Side } from './types.js';
import { actionText, categoriesText, countChanges, countsText, groupChanges, imageText, resourceLabel, scalingText, sideText } from './summary.js';

export interface TerminalOptions {
  base: Side;
  head: Side;
  color: boolean;
  renderChecked?: boolean;
}

const codes = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36, magenta: 35 } as const;
type Style = keyof typeof codes;

export function formatTerminal(report: DiffReport, opts: TerminalOptions): string {
  const paint = (style: Style, text: string) => (opts.color ? `\u001b[${codes[style]}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  lines.push(paint('bold', `Rendered diff: base ${sideText(opts.base)} → head ${sideText(opts.head)}`));
  lines.push(`${countsText(countChanges(report.changes))}; ${report.unchanged} unchanged`);
  if (opts.renderChecked === false) lines.push(paint('yellow', 'warning: the head was not checked against its sources (--no-render-check)'));
  const mark = { added: paint('green', '+'), removed: paint('red', '-'), changed: paint('yellow', '~') };
  for (const env of groupChanges(report)) {
    lines.push('', paint('bold', env.environment));
    const showCluster = env.clusters.length > 1;
    for (const group of env.apps) {
      lines.push(`  ${paint('cyan', group.app)}`);
      for (const c of group.changes) {
        const cluster = showCluster ? `[${c.cluster}] ` : '';
        const cats = c.categories.length ? `  ${paint('magenta', `[${categoriesText(c.categories)}]`)}` : '';
        const action = c.action === 'changed' ? '' : `  ${c.action === 'removed' ? paint('red', actionText(c)) : actionText(c)}`;
        lines.push(`    ${mark[c.action]} ${cluster}${resourceLabel(c)}${action}${cats}`);
        for (const i of c.images) lines.push(`        image ${imageText(i)}`);
        for (const s of c.scaling) lines.push(`        scaling ${scalingText(s)}`);
        if (c.action !== 'changed') continue;
        for (const line of c.patch.split('\n')) {
          const styled = line.startsWith('@@') ? paint('cyan', line) : line.startsWith('+') ? paint('green', line) : line.startsWith('-') ? paint('red', line) : line;
          lines.push(`        ${styled}`);
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
