/**
 * The pull-request comment: a summary table environment × app first, then one collapsible section per
 * environment and app. It always fits GitHub's comment limit, and says so whenever it had to leave something out.
 */
import type { Change, DiffReport, Side } from './types.js';
import { categoryLabel, categoryOrder } from './types.js';
import { actionText, appsOf, categoriesOf, categoriesText, countChanges, countsText, groupChanges, imageText, scalingText, sideText, type AppGroup } from './summary.js';

/** The hidden marker by which the workflow finds its own comment to edit instead of adding a new one. */
const commentMarker = '<!-- berrys-rendered-diff -->';

/** GitHub refuses comment bodies longer than this many characters. */
export const githubCommentLimit = 65_536;

export interface MarkdownOptions {
  base: Side;
  head: Side;
  /** Upper bound on the whole text, in UTF-16 code units (never fewer than characters). */
  maxLength?: number;
  /** Lines of one resource's diff shown before it is cut with a note. */
  maxPatchLines?: number;
  /** Characters of one resource's diff shown before it is cut with a note. */
  maxPatchChars?: number;
  /** Whether the head was checked to be what its sources render (said in the header). */
  renderChecked?: boolean;
}

const sign = { added: '+', removed: '−', changed: '~' } as const;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const run = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(run + 1);
  return run > 0 ? `${ticks} ${text} ${ticks}` : `${ticks}${text}${ticks}`;
}

function fence(body: string, lang: string): string {
  const run = Math.max(0, ...(body.match(/`{3,}/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(Math.max(3, run + 1));
  return `${ticks}${lang}\n${body}\n${ticks}`;
}

/** Cuts one resource's diff at a line and character budget, with a note saying how much was left out. */
export function truncatePatch(patch: string, maxLines: number, maxChars: number): { text: string; note?: string } {
  const lines = patch.split('\n');
  let kept = 0;
  let chars = 0;
  while (kept < lines.length && kept < maxLines && chars + lines[kept]!.length + 1 <= maxChars) chars += lines[kept++]!.length + 1;
  if (kept === lines.length) return { text: patch };
  const left = lines.length - kept;
  return {
    text: lines.slice(0, kept).join('\n'),
    note: `✂️ ${left} more line${left === 1 ? '' : 's'} of this diff not shown (cut at ${kept} of ${lines.length} lines); run \`npm run diff\` locally to see all of it.`,
  };
}

function resourceBlock(c: Change, showCluster: boolean, opts: Required<Pick<MarkdownOptions, 'maxPatchLines' | 'maxPatchChars'>>): string {
  const where = showCluster ? ` in cluster ${code(c.cluster)}` : '';
  const cats = c.categories.length ? ` — ${categoriesText(c.categories)}` : '';
  const lines = [`**${sign[c.action]} ${c.kind} ${code(c.namespace ? `${c.namespace}/${c.name}` : c.name)}**${where}: ${actionText(c)}${cats}`];
  for (const i of c.images) lines.push(`- image ${code(imageText(i))}`);
  for (const s of c.scaling) lines.push(`- scaling ${code(scalingText(s))}`);
  if (c.patch) {
    const cut = truncatePatch(c.patch, opts.maxPatchLines, opts.maxPatchChars);
    lines.push('', fence(cut.text, 'diff'));
    if (cut.note) lines.push('', `> ${cut.note}`);
  }
  return lines.join('\n');
}

function sectionSummary(group: AppGroup): string {
  const cats = categoriesOf(group.changes);
  return `<b>${escapeHtml(group.app)}</b>: ${escapeHtml(countsText(countChanges(group.changes)))}${cats.length ? ` — ${escapeHtml(categoriesText(cats))}` : ''}`;
}

function summaryCell(changes: readonly Change[]): string {
  if (changes.length === 0) return '·';
  const counts = countChanges(changes);
  const parts = [counts.changed ? `~${counts.changed}` : '', counts.added ? `+${counts.added}` : '', counts.removed ? `−${counts.removed}` : ''].filter(Boolean);
  const cats = categoriesOf(changes);
  return `${parts.join(' ')}${cats.length ? `<br>${categoriesText(cats)}` : ''}`;
}

function header(report: DiffReport, opts: MarkdownOptions): string[] {
  const counts = countChanges(report.changes);
  const lines = [commentMarker, `## Rendered diff: ${countsText(counts)}`, ''];
  lines.push(
    `Base ${code(sideText(opts.base))} → head ${code(sideText(opts.head))}; ${report.unchanged} resource${report.unchanged === 1 ? '' : 's'} unchanged.` +
      (opts.renderChecked === false ? ' ⚠️ The head was not checked against its sources (`--no-render-check`).' : ''),
  );
  if (report.changes.length === 0) {
    lines.push('', 'No rendered manifest changes: merging this changes nothing in any cluster.');
    return lines;
  }
  const envs = report.environments;
  lines.push('', `| app | ${envs.join(' | ')} |`, `|---|${envs.map(() => '---|').join('')}`);
  for (const app of appsOf(report)) {
    const cells = envs.map((e) => summaryCell(report.changes.filter((c) => c.app === app && c.environment === e)));
    lines.push(`| ${code(app)} | ${cells.join(' | ')} |`);
  }
  const blast = categoryOrder
    .map((cat) => [cat, report.changes.filter((c) => c.categories.includes(cat)).length] as const)
    .filter(([, n]) => n > 0)
    .map(([cat, n]) => `${categoryLabel[cat]} ${n}`);
  lines.push('', `~ changed · + added · − removed. **Blast radius** (resources): ${blast.join(' · ')}.`);
  if (counts.removed > 0) {
    lines.push(
      '',
      `> [!WARNING]\n> ${counts.removed} resource${counts.removed === 1 ? '' : 's'} will be removed: Argo CD prunes ${counts.removed === 1 ? 'it' : 'them'} from the cluster on sync.`,
    );
  }
  return lines;
}

interface Section {
  environment: string;
  group: AppGroup;
  text: string;
  dropped: boolean;
}

/** The command that shows what the comment left out: one environment's diff between the two sides. */
function diffCommandText(opts: MarkdownOptions, environment?: string): string {
  const base = opts.base.commit ?? opts.base.ref;
  const head = opts.head.commit ? ` --head ${opts.head.commit}` : '';
  return `npm run diff -- --base ${base}${head}${environment ? ` --env ${environment}` : ''}`;
}

function reproduceHint(opts: MarkdownOptions): string {
  return `Reproduce locally: ${code(diffCommandText(opts))}`;
}

/** A section left out: its summary, every version change in it (they are kept whatever is dropped), and how to see it. */
function droppedText(s: Section, opts: MarkdownOptions): string {
  const lines = [`- ✂️ ${sectionSummary(s.group)}: details left out to fit the comment limit; see them with ${code(diffCommandText(opts, s.environment))}`];
  for (const c of s.group.changes)
    for (const i of c.images) lines.push(`  - ${c.kind} ${code(c.name)}${c.cluster !== s.environment ? ` in cluster ${code(c.cluster)}` : ''}: image ${code(imageText(i))}`);
  return lines.join('\n');
}

/**
 * Per-resource diff budgets (lines, characters), tried in turn before any section is dropped: every resource
 * stays listed with its images and scaling, only its diff gets shorter.
 */
const shorterPatches: readonly (readonly [number, number])[] = [
  [40, 2_000],
  [10, 600],
];

/**
 * Renders the comment. To fit, it first shortens each resource's diff, then leaves out whole sections: the
 * environments earliest in the promotion chain first (production, with its standby, is the last to go), the
 * largest sections first within one. A left-out section keeps its summary, its version changes and a command.
 */
export function formatMarkdown(report: DiffReport, opts: MarkdownOptions): string {
  const maxLength = opts.maxLength ?? githubCommentLimit;
  const head = header(report, opts);
  const first = { maxPatchLines: opts.maxPatchLines ?? 150, maxPatchChars: opts.maxPatchChars ?? 8_000 };
  const budgets = [
    first,
    ...shorterPatches.map(([lines, chars]) => ({ maxPatchLines: Math.min(lines, first.maxPatchLines), maxPatchChars: Math.min(chars, first.maxPatchChars) })),
  ];
  let sections: Section[] = [];
  const build = (patchOpts: (typeof budgets)[number]): Section[] => {
    const built: Section[] = [];
    for (const env of groupChanges(report)) {
      const showCluster = env.clusters.length > 1;
      for (const group of env.apps) {
        const body = group.changes.map((c) => resourceBlock(c, showCluster, patchOpts)).join('\n\n');
        built.push({ environment: env.environment, group, dropped: false, text: `<details><summary>${sectionSummary(group)}</summary>\n\n${body}\n\n</details>` });
      }
    }
    return built;
  };
  const compose = (): string => {
    const lines = [...head];
    const dropped = sections.filter((s) => s.dropped);
    if (dropped.length > 0) {
      lines.push(
        '',
        `> [!NOTE]\n> The details of ${dropped.length} section${dropped.length === 1 ? ' were' : 's were'} left out to stay within GitHub's ${githubCommentLimit.toLocaleString('en-US')}-character comment limit (marked ✂️ below). ` +
          `The workflow's job summary and its \`rendered-diff\` artifact have the full text.`,
      );
    }
    let env = '';
    for (const s of sections) {
      if (s.environment !== env) {
        env = s.environment;
        const clusters = [...new Set(report.changes.filter((c) => c.environment === env).map((c) => c.cluster))];
        lines.push('', `### ${env}${clusters.length > 1 || clusters[0] !== env ? ` (cluster${clusters.length > 1 ? 's' : ''} ${clusters.join(', ')})` : ''}`);
      }
      lines.push('', s.dropped ? droppedText(s, opts) : s.text);
    }
    if (report.changes.length > 0) lines.push('', reproduceHint(opts));
    return `${lines.join('\n')}\n`;
  };
  let text = '';
  for (const budget of budgets) {
    sections = build(budget);
    text = compose();
    if (text.length <= maxLength) return text;
  }
  if (text.length > maxLength) {
    // Earliest environment in the chain first, largest section first within it; track the length by arithmetic
    // and compose again only when it may fit.
    const rank = new Map(report.environments.map((e, i) => [e, i]));
    const order = [...sections].sort((a, b) => rank.get(a.environment)! - rank.get(b.environment)! || b.text.length - a.text.length);
    let estimate = text.length + 400; // the note that appears once something is dropped
    for (const s of order) {
      s.dropped = true;
      estimate -= s.text.length - droppedText(s, opts).length;
      if (estimate > maxLength) continue;
      text = compose();
      if (text.length <= maxLength) break;
      estimate = text.length;
    }
    text = compose();
  }
  if (text.length > maxLength) {
    // Even the summary does not fit (thousands of apps): cut it, visibly.
    const note = `\n\n> [!NOTE]\n> This comment was cut at ${maxLength.toLocaleString('en-US')} characters; run the diff locally for all of it.\n`;
    text = text.slice(0, Math.max(0, maxLength - note.length)) + note;
  }
  return text;
}
