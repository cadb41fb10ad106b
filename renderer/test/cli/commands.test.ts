/**
 * Every `npm run` command behaves the same at its edges: `--help` prints its purpose, usage, options and exit codes
 * (exit 0); an unknown option is a usage error (exit 2) naming the allowed ones. Run as the real processes that
 * `npm run` starts (node scripts/run.mjs <name>), so the one entry point is covered too.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineCommand, helpText, invocation, parseOptions, UsageError, usageLine } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { run } from '../../src/process.js';
import { thrown } from '../thrown.js';

const scripts = JSON.parse(readFileSync(path.join(defaultRepoRoot, 'package.json'), 'utf8')).scripts as Record<string, string>;
/** The npm scripts that are toolchain steps, not commands of this repository. */
const toolchain = ['prepare', 'build', 'typecheck', 'lint', 'format'];
const commandScripts = Object.entries(scripts).filter(([name]) => !toolchain.includes(name));
/** The one entry point of every command. */
const entry = path.join(defaultRepoRoot, 'scripts', 'run.mjs');
const readme = readFileSync(path.join(defaultRepoRoot, 'README.md'), 'utf8');

describe('the command layer', () => {
  it('declares every npm script that is a command, and nothing else', () => {
    expect(commandScripts.map(([name]) => name).sort()).toEqual(Object.keys(commands).sort());
    for (const [name, script] of commandScripts) expect(script).toBe(`node scripts/run.mjs ${name}`);
  });

  it('refuses an unknown command name with the list of commands, as a usage error', async () => {
    const result = await run(process.execPath, [entry, 'no-such-command'], { cwd: defaultRepoRoot });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`Error: unknown command 'no-such-command'; usage: node scripts/run.mjs <command> [options]\n  commands: ${Object.keys(commands).join(', ')}\n`);
  });

  for (const name of Object.keys(commands)) {
    it(`${name}: --help prints purpose, usage, every option and the exit codes, and exits 0`, async () => {
      const command = await commands[name]!();
      const result = await run(process.execPath, [entry, name, '--help'], { cwd: defaultRepoRoot });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${helpText(command)}\n`);
      expect(result.stdout).toContain(usageLine(command));
      for (const option of Object.keys(command.options)) expect(result.stdout).toContain(`--${option}`);
      for (const code of [0, 1, 2]) expect(result.stdout).toMatch(new RegExp(`^  ${code}  `, 'm'));
    });

    it(`${name}: an unknown option exits 2 with the allowed ones`, async () => {
      const command = await commands[name]!();
      const result = await run(process.execPath, [entry, name, '--no-such-option'], { cwd: defaultRepoRoot });
      expect(result.code).toBe(2);
      const allowed = Object.keys(command.options)
        .map((o) => `--${o}`)
        .join(', ');
      expect(result.stderr.split('\n')[0]).toBe(`Error: unknown option '--no-such-option'; allowed: ${allowed}`);
      expect(result.stderr).toContain(usageLine(command));
      expect(result.stdout).toBe('');
    });

    it(`${name}: the README's command table states its purpose`, async () => {
      const command = await commands[name]!();
      expect(readme).toContain(`| \`${invocation(command)}\` | ${command.purpose} |`);
    });
  }
});

describe('parseOptions', () => {
  const sample = defineCommand({
    name: 'sample',
    purpose: 'a command for these tests',
    options: {
      env: { type: 'string', list: true, value: '<env>', description: 'environments' },
      format: { type: 'string', choices: ['json', 'text'], description: 'output format' },
      cluster: { type: 'string', required: true, description: 'the cluster' },
      quiet: { type: 'boolean', description: 'say less' },
    },
    exitCodes: { 0: 'ok', 1: 'error', 2: 'usage' },
    run: async () => 0,
  });
  const message = (argv: string[]) => thrown(() => parseOptions(sample, argv));

  it('splits, repeats and keeps the order of list values', () => {
    expect(parseOptions(sample, ['--cluster', 'c', '--env', 'a,b', '--env=c']).values).toEqual({ cluster: 'c', env: ['a', 'b', 'c'] });
  });

  it('answers --help without the required options', () => {
    expect(parseOptions(sample, ['-h'])).toEqual({ help: true, values: {}, positionals: [] });
  });

  it.each([
    [['--env', 'a'], '--cluster is required'],
    [['--cluster='], '--cluster needs a value (got an empty one)'],
    [['--cluster', 'c', '--env', ','], '--env needs a value (got an empty one)'],
    [['--cluster'], '--cluster needs a value'],
    [['--cluster', 'c', '--format', 'jsn'], "--format: unknown value 'jsn'; did you mean 'json'? allowed: json, text"],
    [['--cluster', 'c', '--quiet=yes'], '--quiet takes no value'],
    [['--cluster', 'c', 'extra'], "unexpected argument 'extra'; options start with --"],
    [['--clustr', 'c'], "unknown option '--clustr'; did you mean '--cluster'? allowed: --env, --format, --cluster, --quiet"],
  ])('refuses %j as a usage error: %s', (argv, expected) => {
    expect(message(argv)).toBe(expected);
    expect(() => parseOptions(sample, argv)).toThrow(UsageError);
  });
});
