/**
 * gitleaks, the field's standard secret scanner (pinned in renderer/pins.json, built by the tools step), run with its
 * default rules over the inputs and the rendered output; its JSON report turned into located findings. gitleaks
 * redacts every secret in its report itself (`--redact`), so no secret passes through this process. Building the
 * arguments and reading the report are pure; running is the edge.
 *
 * What the pull request cannot change: the rules are the pinned release's defaults, given on the command line (a
 * `.gitleaks.toml` in a scanned folder would replace them); inline `gitleaks:allow` comments are ignored; and a
 * `.gitleaksignore` in a scanned folder, which gitleaks always reads, is a finding of its own. The one way to let a
 * false positive pass is a reviewed entry in base/exceptions.yaml, as for the render's scanner.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { generatedMarker } from '../render/emit.js';
import { isRegularText } from '../render/write.js';
import { distinctText } from './distinct-lines.js';
import { readRepoFile } from '../fs.js';
import { ProgramNotFound, run } from '../process.js';
import { repoPaths } from '../paths.js';
import { cachePaths } from '../tools/layout.js';
import type { Finding } from './findings.js';

/** Raised when gitleaks cannot run or says something that is not its JSON report: exit 1, not findings. */
class GitleaksError extends Error {
  override readonly name = 'GitleaksError';
}

/** What gitleaks scans: the inputs and the rendered output (the folders that exist). */
const gitleaksFolders = [repoPaths.appsDir, repoPaths.baseDir, repoPaths.overlaysDir, repoPaths.clustersDir] as const;

/** The pinned release's default rules, and nothing a scanned folder could add. */
const defaultRulesConfig = '[extend]\nuseDefault = true\n';

/**
 * The command line for one folder: its default rules from the environment (see gitleaksEnv), secrets redacted, the
 * JSON report on stdout, no banner or log lines, `gitleaks:allow` ignored, no ignore file outside the folder.
 */
function gitleaksArgs(folder: string): string[] {
  return [
    'dir',
    folder,
    '--redact',
    '--no-banner',
    '--no-color',
    '--log-level',
    'error',
    '--report-format',
    'json',
    '--report-path',
    '-',
    '--exit-code',
    '0',
    '--ignore-gitleaks-allow',
    '--gitleaks-ignore-path',
    cachePaths.toolsDir,
  ];
}

/**
 * gitleaks reads its rules from `--config`, GITLEAKS_CONFIG, GITLEAKS_CONFIG_TOML, then the scanned folder's
 * .gitleaks.toml, in that order (cmd/root.go, initConfig): the environment names the default rules and drops the
 * caller's GITLEAKS_CONFIG.
 */
function gitleaksEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { GITLEAKS_CONFIG: _ignored, ...rest } = env;
  return { ...rest, GITLEAKS_CONFIG_TOML: defaultRulesConfig };
}

interface GitleaksResult {
  RuleID: string;
  Description: string;
  StartLine: number;
  EndLine: number;
  File: string;
  Secret: string;
  Match: string;
}

/** Parses gitleaks' JSON report; throws when it is not one, or when a secret in it is not redacted. */
function parseGitleaksReport(stdout: string, stderr = ''): GitleaksResult[] {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = undefined;
  }
  if (!Array.isArray(report)) throw new GitleaksError(`gitleaks did not print its JSON report: ${(stderr || '(no output)').trim().slice(0, 2000)}`);
  const results = report as GitleaksResult[];
  // Defence in depth: the report must never carry a secret into a log, even if a flag stops working upstream.
  if (results.some((r) => r.Secret !== 'REDACTED'))
    throw new GitleaksError('gitleaks printed a secret unredacted; refusing to read its report (check the --redact flag for this version)');
  return results;
}

/** A value base/exceptions.yaml declares not to be a secret, and the input file it is in. */
export interface ExceptedValue {
  file: string;
  value: string;
}

/** The values base/exceptions.yaml excepts (`secrets:` entries whose path names a string), read from the inputs. */
export function exceptedValues(root: string): ExceptedValue[] {
  const read = (file: string) => readRepoFile(root, file);
  const text = read(repoPaths.exceptions);
  const entries = text ? ((parse(text) as { secrets?: { file: string; path: string }[] } | null)?.secrets ?? []) : [];
  const out: ExceptedValue[] = [];
  for (const entry of entries) {
    const input = read(entry.file);
    let value: unknown = input === undefined ? undefined : parse(input);
    for (const segment of entry.path.split('.')) value = value !== null && typeof value === 'object' ? new Map(Object.entries(value)).get(segment) : undefined;
    if (typeof value === 'string') out.push({ file: entry.file, value });
  }
  return out;
}

/**
 * Findings from gitleaks' results. A result is excepted when the lines it spans hold a value base/exceptions.yaml
 * excepts: in that value's own input file, or anywhere under clusters/ (where the render copied it). `lines` gives
 * a file's text split into lines.
 */
export function gitleaksFindings(results: readonly GitleaksResult[], excepted: readonly ExceptedValue[], lines: (file: string) => readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const r of results) {
    const file = r.File.split(path.sep).join('/');
    const text = lines(file)
      .slice(r.StartLine - 1, Math.max(r.StartLine, r.EndLine))
      .join('\n');
    const rendered = file.startsWith(`${repoPaths.clustersDir}/`);
    const isExcepted = excepted.some((e) => (rendered || e.file === file) && e.value.split('\n').some((line) => line.trim().length >= 8 && text.includes(line.trim())));
    if (isExcepted) continue;
    findings.push({
      file,
      line: r.StartLine,
      rule: 'gitleaks',
      message: `a secret by gitleaks' rule ${r.RuleID} (${r.Description.replace(/\.$/, '')})`,
      hint: rendered
        ? 'the render copied it from an input: remove it there (an ExternalSecret reads it from the cloud secret store, see README.md, Secrets) and rotate it'
        : 'store it in the cloud secret store and let an ExternalSecret create the Kubernetes Secret (README.md, Secrets), and rotate it; a value that is not a secret goes under secrets: in base/exceptions.yaml with a reason',
    });
  }
  return findings;
}

/** `.gitleaksignore` files in the scanned folders: each would hide findings from gitleaks, so each is a finding. */
export function ignoreFileFindings(root: string): Finding[] {
  const found: Finding[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(path.join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name === '.gitleaksignore' || e.name === '.gitleaks.toml')
        found.push({
          file: rel,
          line: 1,
          rule: 'gitleaks',
          message: `${e.name} would change what gitleaks reports`,
          hint: 'delete it: a value that is not a secret goes under secrets: in base/exceptions.yaml with a reason, reviewed by the platform owners',
        });
    }
  };
  for (const folder of gitleaksFolders) walk(folder);
  return found;
}

/** Every regular file under `dir` (repository-relative), as gitleaks would find them: links are not followed. */
function filesUnder(root: string, dir: string, into: Map<string, string>): void {
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) filesUnder(root, rel, into);
    else if (e.isFile()) into.set(rel, readFileSync(path.join(root, rel), 'utf8'));
  }
}

/** One gitleaks process over `target` (relative to `root`, or absolute); its redacted results. */
async function gitleaksOver(root: string, target: string, env: NodeJS.ProcessEnv): Promise<GitleaksResult[]> {
  const binary = path.join(root, cachePaths.tool('gitleaks'));
  let result;
  try {
    result = await run(binary, gitleaksArgs(target), { cwd: root, env: gitleaksEnv(env) });
  } catch (err) {
    if (err instanceof ProgramNotFound) throw new GitleaksError(`${cachePaths.tool('gitleaks')} is missing; run npm run tools`);
    throw err;
  }
  if (result.code !== 0) throw new GitleaksError(`gitleaks exited with ${result.code}: ${result.stderr.trim().slice(0, 2000)}`);
  return parseGitleaksReport(result.stdout, result.stderr);
}

/**
 * gitleaks over the rendered tree, each distinct line (or block scalar) once (distinct-lines.ts): written as chunks
 * into a temporary folder, scanned there, and every result placed back at each file and line that piece occurs in.
 */
async function gitleaksOverRendered(root: string, env: NodeJS.ProcessEnv, rendered: ReadonlyMap<string, string> | undefined): Promise<GitleaksResult[]> {
  const files = new Map<string, string>();
  if (rendered) for (const [file, text] of rendered) if (isRegularText(text)) files.set(file, text);
  if (!rendered) filesUnder(root, repoPaths.clustersDir, files);
  const { chunks, locate } = distinctText(files, generatedMarker);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'validate-secrets-'));
  try {
    // .yaml, like the rendered files: a rule that looks at the file name sees the same kind of name.
    chunks.forEach((text, i) => writeFileSync(path.join(scratch, `rendered-${i}.yaml`), text));
    const results: GitleaksResult[] = [];
    for (const r of await gitleaksOver(root, scratch, env)) {
      const chunk = Number(/rendered-(\d+)\.yaml$/.exec(r.File)?.[1] ?? NaN);
      if (!Number.isInteger(chunk)) throw new GitleaksError(`gitleaks reported a file it was not given: ${r.File}`);
      for (const at of locate(chunk, r.StartLine)) results.push({ ...r, File: at.file, StartLine: at.line, EndLine: at.line + (r.EndLine - r.StartLine) });
    }
    return results;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Runs the built gitleaks over each folder of `gitleaksFolders` that exists under `root`; every result, redacted.
 * The inputs are scanned as they are; the rendered tree once per distinct line (gitleaksOverRendered).
 */
export async function runGitleaks(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
  /** clusters/ as readRenderedTree gives it, when the caller read it already. */
  rendered?: ReadonlyMap<string, string>,
): Promise<GitleaksResult[]> {
  const results: GitleaksResult[] = [];
  for (const folder of gitleaksFolders) {
    try {
      readdirSync(path.join(root, folder));
    } catch {
      continue;
    }
    results.push(...(folder === repoPaths.clustersDir ? await gitleaksOverRendered(root, env, rendered) : await gitleaksOver(root, folder, env)));
  }
  return results;
}
