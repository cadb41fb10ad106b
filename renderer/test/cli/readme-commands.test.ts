/**
 * Every command the README and its docs/ pages show: each `npm run` line is parsed against its command's declared
 * options (defineCommand, the same parser the command runs), so a renamed or removed option in the docs fails here;
 * the ones that change nothing outside a checkout (dry runs, the matrix, render) run for real in a temporary clone
 * whose history tells the README's story. Commands of other programs must name one on PATH.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOptions } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { commitRendered, renderedRepo } from '../promote/repo-fixture.js';
import { cleanUp } from '../git-repo.js';

afterAll(cleanUp);

interface Shown {
  file: string;
  line: number;
  words: string[];
  /** A whole command (a line of an sh block), or a span of prose, which may name only the options it talks about. */
  whole: boolean;
}

/**
 * Splits a shell line into commands of words: quotes grouped, `&&` and `;` outside quotes end a command, `# comment`
 * ends the line, a `<placeholder with spaces>` is one word and `[--optional value]` brackets are dropped.
 */
function shellCommands(text: string): string[][] {
  const commands: string[][] = [[]];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(#.*$)|(&&|;)|(<[^>]*>)|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[3] !== undefined) break;
    if (m[4] !== undefined) commands.push([]);
    else commands.at(-1)!.push(m[1] ?? m[2] ?? m[5] ?? m[6]!.replace(/^\[|\]$/g, ''));
  }
  return commands.filter((words) => words.length > 0);
}

/**
 * The commands a Markdown file shows: the lines of its ```sh blocks (joined at a trailing `\`) and its inline
 * `npm run …` spans. In the docs pages, whose sh blocks also show output, only `npm run` lines count.
 */
function shownCommands(file: string, text: string): Shown[] {
  const out: Shown[] = [];
  const add = (line: number, command: string, whole: boolean) => {
    for (const words of shellCommands(command)) if (file === 'README.md' || (words[0] === 'npm' && words[1] === 'run')) out.push({ file, line, words, whole });
  };
  let fence: string | undefined;
  let sh = false;
  let pending = '';
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const marker = /^(`{3,})(\S*)/.exec(line);
    if (marker && (fence === undefined || (marker[1] === fence && marker[2] === ''))) {
      fence = fence === undefined ? marker[1] : undefined;
      sh = fence !== undefined && marker[2] === 'sh';
      return;
    }
    if (sh) {
      pending += line.replace(/\\$/, ' ');
      if (!line.endsWith('\\')) {
        add(i + 1, pending, true);
        pending = '';
      }
      return;
    }
    if (fence === undefined) for (const m of raw.matchAll(/`(npm run [^`]+)`/g)) add(i + 1, m[1]!, false);
  });
  return out;
}

const docs = ['README.md', ...readdirSync(path.join(defaultRepoRoot, 'docs')).map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md'));
const shown = docs.flatMap((file) => shownCommands(file, readFileSync(path.join(defaultRepoRoot, file), 'utf8')));
const scripts = (JSON.parse(readFileSync(path.join(defaultRepoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const npmRuns = shown.filter((c) => c.words[0] === 'npm' && c.words[1] === 'run');
const where = (c: Shown) => `${c.file}:${c.line}: ${c.words.join(' ')}`;

/** A command's own arguments: what follows `--`. */
const argsOf = (c: Shown) => (c.words.includes('--') ? c.words.slice(c.words.indexOf('--') + 1) : []);

describe('the commands the README shows', () => {
  it('finds the README walk-throughs', () => {
    const readme = npmRuns.filter((c) => c.file === 'README.md').map((c) => c.words.slice(2).join(' '));
    expect(readme).toContain('release -- --app api-gateway --version 1.9.1 --dry-run');
    expect(readme).toContain('rollback -- --env production --app web-dashboard --dry-run');
    expect(npmRuns.length).toBeGreaterThan(40);
  });

  it('every npm run names a script, and its options parse as the command declares them (whole commands: with every required one)', async () => {
    const wrong: string[] = [];
    for (const c of npmRuns) {
      const name = c.words[2]!;
      if (scripts[name] === undefined) {
        wrong.push(`${where(c)}: no npm script '${name}'`);
        continue;
      }
      const load = commands[name];
      if (!load) {
        // typecheck, lint, format: tools of their own, shown without options.
        if (argsOf(c).length > 0) wrong.push(`${where(c)}: '${name}' takes no options here`);
        continue;
      }
      try {
        parseOptions(await load(), argsOf(c));
      } catch (err) {
        // Prose names a command and the option it is about ("`npm run status -- --wait` times out"), not all it needs.
        if (!c.whole && (err as Error).message.endsWith(' is required')) continue;
        wrong.push(`${where(c)}: ${(err as Error).message}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses an option the command does not declare, so a stale option in the docs cannot pass', async () => {
    const promote = await commands.promote!();
    expect(() => parseOptions(promote, ['--form', 'development'])).toThrow("unknown option '--form'; did you mean '--from'?");
  });

  it('every other command names a program on PATH', () => {
    const programs = [...new Set(shown.filter((c) => c.words[0] !== 'npm').map((c) => c.words[0]!.replace(/^\.\//, '')))];
    const missing = programs.filter((p) => !['.ci/run'].includes(p) && spawnSync('sh', ['-c', `command -v ${p}`]).status !== 0);
    expect(missing).toEqual([]);
  });

  it('runs the ones that change nothing outside the checkout in a temporary clone, and they succeed', async () => {
    const root = renderedRepo();
    // The README's rollback story: production ran web-dashboard 4.1.9 before 4.2.0.
    const production = 'overlays/production/versions.yaml';
    const text = readFileSync(path.join(root, production), 'utf8');
    await commitRendered(root, 'production at 4.1.9', { [production]: text.replace('web-dashboard: 4.2.0', 'web-dashboard: 4.1.9') });
    await commitRendered(root, 'production at 4.2.0', { [production]: text });
    const runnable = npmRuns.filter(
      (c) =>
        c.file === 'README.md' &&
        !c.words.some((w) => w.includes('<')) &&
        (argsOf(c).includes('--dry-run') || ['versions', 'render'].includes(c.words[2]!)) &&
        !argsOf(c).includes('--live'),
    );
    expect(runnable.map((c) => c.words[2])).toEqual(expect.arrayContaining(['release', 'promote', 'rollback', 'versions', 'render']));
    const failed: string[] = [];
    for (const c of runnable) {
      const result = spawnSync('npm', ['run', '--silent', c.words[2]!, ...c.words.slice(3)], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      if (result.status !== 0) failed.push(`${where(c)}: exit ${result.status}: ${result.stderr.trim().split('\n').slice(0, 3).join(' / ')}`);
    }
    expect(failed).toEqual([]);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' })).toBe('');
  }, 600_000);
});
