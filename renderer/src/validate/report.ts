/**
 * Formatting a validation report, pure: for people (grouped by file, coloured on a terminal), as one JSON document
 * for machines, and as GitHub Actions workflow commands that put each finding on the pull request's line.
 */
import type { Finding } from './findings.js';
import type { ValidationReport } from './run.js';

export type Format = 'human' | 'json' | 'github';
export const formats: readonly Format[] = ['human', 'json', 'github'];

const paint = (on: boolean, code: string) => (text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line per environment: its clusters, files checked and findings. */
export function summaryLines(report: ValidationReport): string[] {
  const rows = report.environments.map((e) => [e.environment, e.clusters.join(', '), String(e.files), String(e.findings)]);
  const header = ['environment', 'clusters', 'files', 'findings'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The closing line: the verdict, what was checked, and how long it took when `ms` is given. */
function verdictLine(report: ValidationReport, ms?: number): string {
  const files = new Set(report.findings.map((f) => f.file)).size;
  const what = `checked ${plural(report.files, 'file')} with kubeconform ${report.kubeconformVersion} against Kubernetes ${report.kubernetesVersion} and ${plural(report.rules.length, 'policy rule')}, secrets with gitleaks ${report.gitleaksVersion}`;
  const took = ms === undefined ? '' : ` in ${(ms / 1000).toFixed(1)} s`;
  return report.findings.length === 0
    ? `validate: no findings; ${what}${took}`
    : `validate: ${plural(report.findings.length, 'finding')} in ${plural(files, 'file')}; ${what}${took}`;
}

/** Findings grouped under their file, then the per-environment summary and the verdict. */
export function formatHuman(report: ValidationReport, options: { color: boolean; ms?: number }): string[] {
  const bold = paint(options.color, '1');
  const red = paint(options.color, '31');
  const dim = paint(options.color, '2');
  const out: string[] = [];
  let file: string | undefined;
  for (const f of report.findings) {
    if (f.file !== file) {
      if (file !== undefined) out.push('');
      out.push(bold(f.file));
      file = f.file;
    }
    out.push(`  ${String(f.line).padStart(4)}  ${red('error')}  ${f.message}  ${dim(f.rule)}`);
    if (f.hint) out.push(`        ${dim(`hint: ${f.hint}`)}`);
  }
  if (out.length > 0) out.push('');
  if (report.charts?.applications) out.push(...chartLines(report.charts), '');
  out.push(...summaryLines(report), '', report.findings.length === 0 ? verdictLine(report, options.ms) : red(verdictLine(report, options.ms)));
  return out;
}

/** What the add-on chart check covered, and each chart it could not check with the reason. */
function chartLines(charts: NonNullable<ValidationReport['charts']>): string[] {
  const lines = [`charts: rendered and checked ${charts.rendered} of ${plural(charts.applications, 'add-on Application')} with helm template`];
  for (const u of charts.unchecked) {
    lines.push(`charts: NOT CHECKED ${u.chart.name} ${u.chart.version} (${u.reason}); used by ${u.applications.join(', ')}`);
  }
  if (charts.unchecked.length > 0) lines.push('charts: unchecked charts fail validate when it runs with --require-charts (the GitHub workflow does)');
  return lines;
}

/** The whole report as one JSON document. */
export function formatJson(report: ValidationReport): string {
  return JSON.stringify(
    {
      ok: report.findings.length === 0,
      kubernetesVersion: report.kubernetesVersion,
      kubeconformVersion: report.kubeconformVersion,
      gitleaksVersion: report.gitleaksVersion,
      files: report.files,
      environments: report.environments,
      findings: report.findings,
      rules: report.rules,
      ...(report.charts?.applications ? { charts: { applications: report.charts.applications, rendered: report.charts.rendered, unchecked: report.charts.unchecked } } : {}),
    },
    null,
    2,
  );
}

// Escaping of workflow commands, as in @actions/core (toCommandValue / escapeData / escapeProperty).
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error file=…,line=…,title=<rule>::message`, one per finding (https://docs.github.com/actions/reference/workflow-commands-for-github-actions). */
export function githubAnnotation(f: Finding): string {
  const message = f.hint ? `${f.message}\nhint: ${f.hint}` : f.message;
  return `::error file=${escapeProperty(f.file)},line=${f.line},title=${escapeProperty(f.rule)}::${escapeData(message)}`;
}

export function formatGithub(report: ValidationReport): string[] {
  return report.findings.map(githubAnnotation);
}
