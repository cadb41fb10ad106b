/**
 * `npm run diff`: flags in, one comparison, printed result, exit code out.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCommand, standardExitCodes } from '../cli/command.js';
import { repoPaths } from '../paths.js';
import { parseChartsLock } from '../validate/charts-lock.js';
import { withRenderedCharts } from './charts.js';
import { compareTrees } from './compare.js';
import { loadTrees, resolveBase, resolveHead } from './git.js';
import { formatJson } from './json.js';
import { formatMarkdown } from './markdown.js';
import { checkHeadRendered, type RenderCheck } from './render-check.js';
import { formatTerminal } from './terminal.js';

/** The diff command; `renderCheck` is replaceable so that tests on repositories without a renderer can skip it. */
export function diffCommand(renderCheck: RenderCheck = checkHeadRendered) {
  return defineCommand({
    name: 'diff',
    purpose: 'the rendered diff between two revisions, per environment and app (the pull-request comment)',
    options: {
      base: { type: 'string', value: '<ref>', description: 'the revision to compare with (default: the merge base of HEAD with main, else origin/main)' },
      head: { type: 'string', value: '<ref>', description: 'the revision to compare (default: the working tree)' },
      format: {
        type: 'string',
        value: '<format>',
        choices: ['terminal', 'markdown', 'json'],
        description: 'terminal (default; coloured on a TTY), markdown (the pull-request comment) or json',
      },
      env: { type: 'string', list: true, value: '<env>', description: 'only these environments' },
      'no-render-check': { type: 'boolean', description: "compare without first checking that the head's clusters/ is what its sources render" },
      charts: { type: 'boolean', description: "also render each add-on's chart on both sides (helm template) and compare the resources it creates" },
    },
    exitCodes: { 0: 'no change', ...standardExitCodes, 3: 'changes found' },
    async run(v, { root, io }) {
      const head = await resolveHead(root, v.head);
      const base = await resolveBase(root, v.base);
      const renderChecked = !v['no-render-check'];
      if (renderChecked) await renderCheck(root, head.revision);

      let trees = await loadTrees(root, base.commit, head.revision);
      if (v.charts) {
        const lockText = await readFile(path.join(root, repoPaths.chartsLock), 'utf8').catch(() => undefined);
        const expanded = await withRenderedCharts(root, trees, { lock: parseChartsLock(lockText) });
        for (const note of expanded.notes) io.err(`diff: ${note}`);
        trees = expanded;
      }
      const report = compareTrees(trees.base, trees.head, { envs: v.env });
      const sides = { base, head: head.side, renderChecked };
      const text =
        v.format === 'json' ? formatJson(report, sides) : v.format === 'markdown' ? formatMarkdown(report, sides) : formatTerminal(report, { ...sides, color: io.color });
      if (text) io.out(text.replace(/\n$/, ''));
      return report.changes.length > 0 ? 3 : 0;
    },
  });
}

export const command = diffCommand();
