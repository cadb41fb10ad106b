/**
 * Real temporary git repositories for the release, promote and gate tests.
 * `inputsRepo` holds apps/, overlays/ and clusters/index.json only (enough for the commands that read files from
 * commits and the index's promotion chain; the gate, which renders, needs `renderedRepo`);
 * `renderedRepo` is a full working copy of this repository (sources, renderer, scripts, compiled dist/, rendered
 * clusters/ committed), so a promotion renders with the real renderer, exactly as a person's checkout does.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultRepoRoot, repoPaths } from '../../src/paths.js';
import { renderToDisk } from '../../src/render/render.js';
import { runGate } from '../../src/promote/gate.js';
import { cleanUp, commitAll, gitIn, initRepo, renderedWorkingCopy, tempDir } from '../git-repo.js';

export { cleanUp, gitIn, tempDir };

export function writeFile(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

/** Writes files and commits them; returns the new commit id. */
export function commit(root: string, message: string, files: Record<string, string> = {}): string {
  for (const [file, text] of Object.entries(files)) writeFile(root, file, text);
  return commitAll(root, message);
}

/** A repository with the real apps/, overlays/ and clusters/index.json committed on main. */
export function inputsRepo(): string {
  const root = tempDir('gate');
  for (const entry of ['apps', 'overlays', repoPaths.clusterIndex]) cpSync(path.join(defaultRepoRoot, entry), path.join(root, entry), { recursive: true });
  initRepo(root);
  commit(root, 'initial');
  return root;
}

/** Writes files, renders clusters/ with this code and commits, as a person's pull request does; returns the commit id. */
export async function commitRendered(root: string, message: string, files: Record<string, string> = {}): Promise<string> {
  for (const [file, text] of Object.entries(files)) writeFile(root, file, text);
  await renderToDisk(root);
  return commit(root, message);
}

let template: string | undefined;

/**
 * The template every renderedRepo copies: a working copy of this repository, compiled and rendered once. Its renderer
 * is this code, so the gate's tests name it as the base branch's renderer (`renderer`), and no test rebuilds this
 * checkout's dist/ while others read it.
 */
export function baseRenderer(): string {
  template ??= renderedWorkingCopy('promote-template');
  return template;
}

/**
 * A working copy of this repository with clusters/ rendered and committed on main. The first call builds a
 * template (copies, compiles if needed, renders); later calls copy it, which keeps each test to one render.
 */
export function renderedRepo(): string {
  const root = tempDir('promote');
  cpSync(baseRenderer(), root, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  return root;
}

/**
 * Gives `root` a bare repository as `origin` holding main, with origin's HEAD recorded as a clone records it.
 * `preReceive`, when given, becomes origin's pre-receive hook (a shell script), e.g. one that refuses every push.
 */
export function addOrigin(root: string, preReceive?: string): string {
  const origin = tempDir('origin');
  gitIn(origin, 'init', '--quiet', '--bare', '--initial-branch=main');
  gitIn(root, 'remote', 'add', 'origin', origin);
  gitIn(root, 'push', '--quiet', 'origin', 'main');
  gitIn(root, 'remote', 'set-head', 'origin', 'main');
  if (preReceive !== undefined) writeFileSync(path.join(origin, 'hooks', 'pre-receive'), `#!/bin/sh\n${preReceive}\n`, { mode: 0o755 });
  return origin;
}

const read = (root: string, file: string) => readFileSync(path.join(root, file), 'utf8');

/**
 * Adds a `qa` step between staging and production, from the inputs alone: overlays/qa/ with staging's settings under
 * the new name and the given versions.yaml text, and production's promotesFrom pointed at it.
 */
export function addQa(root: string, versions: string): void {
  const qa = read(root, 'overlays/staging/environment.yaml')
    .replace('name: staging', 'name: qa')
    .replace(/description: .*/, 'description: Acceptance testing')
    .replace('namespace: berrys-staging', 'namespace: berrys-qa')
    .replace('domain: staging.agents.berrys.example', 'domain: qa.agents.berrys.example')
    .replace('promotesFrom: development', 'promotesFrom: staging')
    .replace('  - name: staging', '  - name: qa')
    .replace(/apiServer: https:\/\/\S+/, 'apiServer: https://qa.example.eks.amazonaws.com');
  writeFile(root, 'overlays/qa/environment.yaml', qa);
  writeFile(root, 'overlays/qa/versions.yaml', versions);
  writeFile(root, 'overlays/production/environment.yaml', read(root, 'overlays/production/environment.yaml').replace('promotesFrom: staging', 'promotesFrom: qa'));
}

/** The gate as CI runs it on a pull request from `branch` into origin/main, with this code as the base renderer. */
export async function gate(root: string, branch: string, env: NodeJS.ProcessEnv = {}, log: (line: string) => void = () => undefined) {
  gitIn(root, 'fetch', '--quiet', 'origin');
  return runGate({ root, base: 'origin/main', head: branch, env, log, renderer: baseRenderer() });
}

/** Merging the pull request: a merge commit on main, pushed; the checkout is left on main. */
export function merge(root: string, branch: string): void {
  gitIn(root, 'switch', '--quiet', 'main');
  gitIn(root, 'merge', '--quiet', '--no-ff', '-m', `Merge ${branch}`, branch);
  gitIn(root, 'push', '--quiet', 'origin', 'main');
}

/** A new app's catalogue file, shaped like tool-integration's (a leaf: it calls nobody), under another name. */
export function newAppFile(root: string, app: string): void {
  writeFile(
    root,
    `apps/${app}.yaml`,
    read(root, 'apps/tool-integration.yaml').replace('name: tool-integration', `name: ${app}`).replace('berrys/tool-integration', `berrys/${app}`),
  );
}
