/**
 * The pull-request comment of a change that reaches every environment of the real repository, when it must leave
 * material out: production and its standby stay whole, staging goes after development and local, and every version
 * change stays listed with a command to see what was left out.
 */
import { describe, expect, it } from 'vitest';
import { compareTrees } from '../../src/diff/compare.js';
import { formatMarkdown } from '../../src/diff/markdown.js';
import type { RenderedTree } from '../../src/diff/types.js';
import { memoryReader } from '../../src/fs.js';
import { renderRepository } from '../../src/render/render.js';
import { realInputs } from '../render/fixture.js';

async function rendered(files: Record<string, string>): Promise<RenderedTree> {
  const result = await renderRepository(memoryReader(files));
  const tree: RenderedTree = { files: new Map() };
  for (const f of result.files) {
    if (f.path.endsWith('index.json')) tree.index = f.content;
    else tree.files.set(f.path, f.content);
  }
  return tree;
}

/** Every environment changes: each app gets a new version everywhere, and every app a new plain variable. */
function changeEverything(files: Record<string, string>): string[] {
  const moves: string[] = [];
  for (const env of ['local', 'development', 'staging', 'production']) {
    const file = `overlays/${env}/versions.yaml`;
    files[file] = files[file]!.replace(/^([a-z-]+): (\d+)\.(\d+)\.(\d+)$/gm, (_, app: string, major: string, minor: string, patch: string) => {
      const to = `${major}.${minor}.${Number(patch) + 1}`;
      moves.push(`${env} ${app}: ${major}.${minor}.${patch} → ${to}`);
      return `${app}: ${to}`;
    });
  }
  return moves;
}

describe('markdown comment across the chain', () => {
  it('keeps production whole and every version change when a pull request changes every environment', async () => {
    const files = realInputs();
    const base = await rendered(files);
    const moves = changeEverything(files);
    const report = compareTrees(base, await rendered(files));
    expect(report.environments).toEqual(['local', 'development', 'staging', 'production']);
    const sides = { base: { ref: 'main', commit: 'b'.repeat(40) }, head: { ref: 'pr', commit: 'h'.repeat(40) } };
    const whole = formatMarkdown(report, sides);
    const maxLength = Math.floor(whole.length * 0.6);
    const text = formatMarkdown(report, { ...sides, maxLength });
    expect(text.length).toBeLessThanOrEqual(maxLength);
    const sectionOf = (markdown: string, env: string) => {
      const start = markdown.indexOf(`\n### ${env}`);
      const end = markdown.indexOf('\n### ', start + 1);
      return markdown.slice(start, end < 0 ? undefined : end);
    };
    const section = (env: string) => sectionOf(text, env);
    // Production and its standby: every app's section kept (diffs may be shortened, none left out).
    expect(section('production')).toContain('(clusters production, production-dr)');
    expect(section('production')).not.toContain('- ✂️ ');
    // As many sections as the whole comment has for production: every app and every folder the change reaches.
    const productionSections = sectionOf(whole, 'production').match(/^<details><summary>/gm)!.length;
    expect(productionSections).toBeGreaterThanOrEqual(8);
    expect(section('production').match(/^<details><summary>/gm)).toHaveLength(productionSections);
    // Left out first: outside the chain, then the start of the chain; each with the command that shows it.
    expect(section('local')).toContain(`- ✂️ `);
    expect(section('local')).toContain(`see them with \`npm run diff -- --base ${'b'.repeat(40)} --head ${'h'.repeat(40)} --env local\``);
    // In order: an environment loses a section only when every environment before it has lost all of theirs.
    const left = (env: string) => (section(env).match(/^- ✂️ /gm) ?? []).length;
    const kept = (env: string) => (section(env).match(/^<details><summary>/gm) ?? []).length;
    const order = ['local', 'development', 'staging', 'production'];
    for (let i = 1; i < order.length; i++) if (left(order[i]!) > 0) expect(kept(order[i - 1]!), order[i - 1]).toBe(0);
    expect(left('development')).toBeGreaterThan(0);
    // Every version change is still listed, whatever was left out.
    for (const move of moves) {
      const [env, rest] = move.split(/ (.*)/) as [string, string];
      expect(section(env), move).toContain(`image \`${rest}\``);
    }
  });
});
