/**
 * `npm run validate`: provisions the tools when stale, validates the rendered clusters (reusing .cache/validate/ for
 * what did not change) and every add-on chart it can reach, prints the report.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCommand, standardExitCodes } from '../cli/command.js';
import { repoPaths } from '../paths.js';
import { ensureTools } from '../tools/ensure.js';
import { parseChartsLock, serializeChartsLock, updateLock } from './charts-lock.js';
import { formatGithub, formatHuman, formatJson, formats } from './report.js';
import { validateRepository } from './run.js';

export const command = defineCommand({
  name: 'validate',
  purpose:
    "checks the rendered clusters/ with kubeconform (strict, offline schemas) and the policy rules, scans the inputs and clusters/ for secrets with gitleaks, and renders every add-on's pinned chart with helm",
  options: {
    env: { type: 'string', list: true, value: '<env>', description: 'only these environments (from clusters/index.json)' },
    cluster: { type: 'string', list: true, value: '<cluster>', description: 'only these clusters (from clusters/index.json)' },
    format: { type: 'string', value: '<format>', choices: formats, description: 'human (default), json, or github (workflow annotations)' },
    'no-cache': { type: 'boolean', description: 'validate everything again, ignoring .cache/validate/' },
    'require-charts': { type: 'boolean', description: 'a chart whose repository cannot be reached is a finding (the GitHub workflow sets this)' },
    'update-lock': { type: 'boolean', description: `record the digests of the charts pulled in ${repoPaths.chartsLock}` },
  },
  exitCodes: { 0: 'no findings', ...standardExitCodes, 3: 'findings' },
  async run(v, { root, io }) {
    const started = performance.now();
    await ensureTools({ root, quiet: true, log: io.err, env: io.env });
    const lockFile = path.join(root, repoPaths.chartsLock);
    const lock = parseChartsLock(await readFile(lockFile, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e))));
    const report = await validateRepository(root, {
      envs: v.env,
      clusters: v.cluster,
      cache: !v['no-cache'],
      charts: { lock, requireCharts: v['require-charts'] ?? false, updateLock: v['update-lock'] ?? false, env: io.env },
      env: io.env,
    });
    if (v['update-lock'] && report.charts) {
      await writeFile(lockFile, serializeChartsLock(updateLock(lock, report.charts.digests)));
      io.err(`validate: recorded ${report.charts.digests.length} chart digest(s) in ${repoPaths.chartsLock}`);
    }
    const ms = performance.now() - started;
    if (v.format === 'json') {
      io.out(formatJson(report));
    } else if (v.format === 'github') {
      for (const line of formatGithub(report)) io.out(line);
      for (const line of formatHuman({ ...report, findings: [] }, { color: false, ms }).slice(0, -1)) io.out(line);
      io.out(formatHuman(report, { color: false, ms }).at(-1)!);
    } else {
      for (const line of formatHuman(report, { color: io.color, ms })) io.out(line);
      if (io.env.GITHUB_ACTIONS === 'true') for (const line of formatGithub(report)) io.out(line);
    }
    return report.findings.length === 0 ? 0 : 3;
  },
});
