/**
 * release and promote as actions on a checkout: plan (pure, plan.ts), edit versions.yaml, render, branch, commit,
 * and optionally push and open the pull request. `dryRun` stops after printing the plan.
 */
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { repoPaths } from '../paths.js';
import { enableAutoMerge, githubConfig, openPullRequest, type GithubConfig, type PullRequest } from './github.js';
import { boundedLines, HintedError } from '../errors.js';
import {
  branchExists,
  changedFiles,
  checkedOut,
  checkOut,
  commitOnNewBranch,
  commitShape,
  diffStat,
  git,
  gitOutput,
  hasRemote,
  push,
  remoteDefaultBranch,
  restorePaths,
  treeWithChanges,
  uncommitted,
  type CheckedOut,
} from '../git.js';
import { renderCheckout } from './render.js';
import { promotionChainOf, readClusterIndex } from '../cluster-index.js';
import { formatMatrixMarkdown, readMatrix } from './matrix.js';
import { branchName, changeBranchKind, commandLine, commitMessage, planPromotion, planRelease, planRollback, prBody, prTitle, versionTable, type Plan } from './plan.js';
import { diskReader, readCatalogue, readVersions, versionHistory, type PastVersion } from './repo.js';
import { setVersions, type Versions } from './versions.js';

export interface ChangeOptions {
  /** The checkout to change. */
  root: string;
  dryRun?: boolean;
  /** Push the branch and open a pull request (needs GITHUB_TOKEN and GITHUB_REPOSITORY). */
  openPr?: boolean;
  /** With openPr: turn on auto-merge for the pull request. */
  autoMerge?: boolean;
  /** Branch the pull request targets; default the branch the checkout is on (a detached HEAD needs it). */
  base?: string;
  /**
   * How to render the changed checkout; default `node scripts/run.mjs render` in it. `false` skips rendering: only for
   * tests of repositories that hold no renderer.
   */
  render?: ((root: string) => Promise<void>) | false;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface ChangeResult {
  plan: Plan;
  branch: string;
  message: string;
  /** Absent on a dry run. */
  commit?: string;
  files?: string[];
  pullRequest?: PullRequest;
}

/** `release --app <app> --version <tag>`: sets one app's version in the first environment of the promotion chain. */
export async function runRelease(opts: ChangeOptions & { app: string; version: string }): Promise<ChangeResult> {
  const reader = diskReader(opts.root);
  const catalogue = await readCatalogue(reader);
  const [target] = promotionChainOf(await readClusterIndex(reader)).steps;
  if (target === undefined) throw new Error(`${repoPaths.clusterIndex} has an empty promotion chain; no environment to release into`);
  const { versions } = await readVersions(reader, target);
  return apply(planRelease({ app: opts.app, version: opts.version, catalogue, target, current: versions }), opts);
}

/** `promote --from <env> --to <env> [--app a,b]`: copies versions one step along the chain. */
export async function runPromote(opts: ChangeOptions & { from?: string; to?: string; apps: string[] }): Promise<ChangeResult> {
  const reader = diskReader(opts.root);
  const catalogue = await readCatalogue(reader);
  const chain = promotionChainOf(await readClusterIndex(reader));
  const all = new Map<string, Versions>();
  for (const env of chain.steps) all.set(env, (await readVersions(reader, env)).versions);
  const plan = planPromotion({ from: opts.from, to: opts.to, apps: opts.apps, catalogue, chain, versions: (env) => all.get(env)! });
  return apply(plan, opts);
}

/**
 * `rollback --env <env> --app <app> [--to <version>]`: sets versions the environment ran before, found in the
 * history of its versions.yaml on the checkout's branch.
 */
export async function runRollback(opts: ChangeOptions & { environment: string; apps: string[]; to?: string }): Promise<ChangeResult> {
  const reader = diskReader(opts.root);
  const catalogue = await readCatalogue(reader);
  const { versions } = await readVersions(reader, opts.environment);
  const chain = promotionChainOf(await readClusterIndex(reader));
  const history = chain.steps.includes(opts.environment) ? await versionHistory(opts.root, 'HEAD', opts.environment) : new Map();
  const plan = planRollback({ env: opts.environment, chain, apps: opts.apps, to: opts.to, catalogue, current: versions, history });
  // What else it could go back to, so a person on call sees the choices (--to) without reading git log.
  const log = opts.log ?? ((line: string) => console.log(line));
  log(`What ${plan.target} ran (newest first, from overlays/${plan.target}/versions.yaml on this branch):`);
  for (const c of plan.changes) {
    log(`  ${c.app}: ${(history.get(c.app) ?? []).map((p: PastVersion) => `${p.version}${p.version === c.from ? ' (now)' : ` at ${p.commit.slice(0, 12)}`}`).join(' · ')}`);
  }
  log('');
  return apply(plan, opts);
}

async function apply(plan: Plan, opts: ChangeOptions): Promise<ChangeResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const root = opts.root;
  const versionsFile = repoPaths.versions(plan.target);
  const branch = branchName(plan);
  const message = commitMessage(plan);
  const github = opts.openPr && !opts.dryRun ? githubConfig(opts.env ?? process.env) : undefined;

  log(plan.kind === 'release' ? `Release into ${plan.target}:` : plan.kind === 'rollback' ? `Roll back ${plan.target}:` : `Promote ${plan.source} → ${plan.target}:`);
  log('');
  log(versionTable(plan));
  if (plan.unchanged.length > 0) log(`\nAlready the same in ${plan.target}: ${plan.unchanged.join(', ')}`);
  log('');

  if (opts.dryRun) {
    log(`Dry run: would edit ${versionsFile}, render clusters/, create branch ${branch} and commit:`);
    log('');
    log(message.replace(/^(?=.)/gm, '    ').trimEnd());
    if (opts.openPr) log(`\nand then push ${branch} and open a pull request${opts.autoMerge ? ' with auto-merge' : ''}.`);
    log('\nNothing was changed.');
    return { plan, branch, message };
  }

  const dirty = await uncommitted(root);
  if (dirty.length > 0) {
    throw new HintedError(
      `the working tree has uncommitted changes (${summary(dirty.map((l) => l.slice(3)))})`,
      `commit or stash them first, so that the ${plan.kind} commit holds only the ${plan.kind}`,
    );
  }
  const start = await checkedOut(root);
  if (opts.base === undefined && start.branch !== undefined && changeBranchKind(start.branch)) await refuseStacking(root, plan, start.branch);
  const baseBranch = opts.base ?? start.branch ?? (await detachedHead(root, plan, start));
  const hasOrigin = await hasRemote(root, remote);
  if (github && !hasOrigin) {
    throw new HintedError(
      `--open-pr pushes to the remote '${remote}', and this checkout has no remote of that name`,
      `add it (git remote add ${remote} <url of this repository>) and run again, or leave out --open-pr to commit on a local branch only`,
    );
  }

  const reuse = (await branchExists(root, branch)) ? await branchOnStart(root, branch, plan, start) : undefined;
  const paths = await editAndRender(plan, opts, log);
  const commit = reuse ? await reuseBranch(root, reuse, paths, plan, start) : await commitOnNewBranch(root, branch, paths, message);
  const stat = await diffStat(root, commit, paths);
  const files = await changedFiles(root, `${commit}^`, commit);
  log(reuse ? `Branch ${branch} already holds this ${plan.kind} (${commit.slice(0, 12)}); using it:` : `Committed ${commit.slice(0, 12)} on branch ${branch}:`);
  log(stat.replace(/^(?=.)/gm, '  '));

  if (!github) {
    const pushIt = `git push -u ${remote} ${branch}`;
    log(
      hasOrigin
        ? `\nNext: ${pushIt}, and open a pull request into ${baseBranch} ` +
            `(or ${switchCommand(start)} and run ${commandLine(plan, { base: opts.base, openPr: true })}, which pushes this branch and opens it).`
        : `\nNext: this checkout has no remote '${remote}': add it (git remote add ${remote} <url of this repository>), then ${pushIt}, and open a pull request into ${baseBranch}.`,
    );
    return { plan, branch, message, commit, files };
  }

  const pullRequest = await publish(plan, opts, github, { branch, commit, stat, base: baseBranch, start });
  return { plan, branch, message, commit, files, pullRequest };
}

/**
 * Pushes the committed branch and opens (or finds) its pull request. Whatever fails, the checkout goes back to where
 * the run started, so that the same command can run again and reuse the branch; the hint says so.
 */
async function publish(
  plan: Plan,
  opts: ChangeOptions,
  github: GithubConfig,
  made: { branch: string; commit: string; stat: string; base: string; start: CheckedOut },
): Promise<PullRequest> {
  const { branch, start } = made;
  const log = opts.log ?? ((line: string) => console.log(line));
  const again = commandLine(plan, { base: opts.base, openPr: true, autoMerge: opts.autoMerge });
  const back = `${where(start)} is checked out again`;
  try {
    await push(opts.root, branch, remote);
  } catch (err) {
    await checkOut(opts.root, start);
    throw new HintedError(
      `pushing ${branch} to ${remote} failed; git said:\n${indent(boundedLines(gitOutput(err), 20))}`,
      `the ${plan.kind} is committed on branch ${branch} (${made.commit.slice(0, 12)}) and ${back}; ` +
        `once ${remote} accepts the push, run ${again} (it pushes that branch and opens the pull request), or push it yourself: git push -u ${remote} ${branch}`,
    );
  }
  let pullRequest: PullRequest | undefined;
  try {
    const matrix = formatMatrixMarkdown(await readMatrix(opts.root));
    pullRequest = await openPullRequest(github, { title: prTitle(plan), body: prBody(plan, made.stat, matrix), head: branch, base: made.base });
    log(`${pullRequest.existing ? 'Pull request already open' : 'Opened pull request'} #${pullRequest.number}: ${pullRequest.url}`);
    if (opts.autoMerge) {
      await enableAutoMerge(github, pullRequest);
      log('Auto-merge is on: it merges once the required checks pass.');
    }
    return pullRequest;
  } catch (err) {
    await checkOut(opts.root, start);
    const e = err as Partial<HintedError> & Error;
    throw new HintedError(
      e.reason ?? e.message,
      `${e.hint ? `${e.hint}, then` : 'then'} run ${again} ` +
        `(branch ${branch} is pushed and ${back}; the run reuses the branch${pullRequest ? ` and pull request #${pullRequest.number}` : ''})`,
    );
  }
}

const remote = 'origin';

/** Another program's output inside a message: each line indented, without the blanks and padding git adds. */
const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .map((l) => `    ${l}`)
    .join('\n');

function switchCommand(at: CheckedOut): string {
  return at.branch ? `git switch ${at.branch}` : `git switch --detach ${at.commit.slice(0, 12)}`;
}

/**
 * Refuses to start from a release, promote or rollback branch without --base: the new change would stack on one that
 * may not be merged, its pull request would go into that branch, and the gate judges versions against the base branch.
 */
async function refuseStacking(root: string, plan: Plan, branch: string): Promise<never> {
  const main = (await remoteDefaultBranch(root, remote)) ?? 'main';
  const merged = await git(root, ['merge-base', '--is-ancestor', 'HEAD', `${remote}/${main}`]).then(
    () => true,
    () => false,
  );
  throw new HintedError(
    `this checkout is on ${branch}, a ${changeBranchKind(branch)} branch${merged ? ` (already merged into ${remote}/${main})` : ` that is not merged into ${remote}/${main}`}, ` +
      `so the ${plan.kind} would start from it and its pull request would go into it`,
    merged
      ? `start from ${main}: git switch ${main} && git pull, then run again`
      : `wait for ${branch}'s pull request to merge, then git switch ${main} && git pull and run again; or pass --base ${branch} to stack this ${plan.kind} on it on purpose`,
  );
}

/** Refuses a checkout on no branch: the pull request needs a base, and guessing one could carry unrelated commits. */
async function detachedHead(root: string, plan: Plan, at: CheckedOut): Promise<never> {
  const named = await remoteDefaultBranch(root, remote);
  const branch = named ?? '<branch>';
  throw new HintedError(
    `HEAD is detached (at ${at.commit.slice(0, 12)}), so the ${plan.kind} has no branch to open its pull request into`,
    `switch to the branch it starts from (git switch ${branch}) and run again, or name the pull request's base: --base ${branch}` + (named ? ` (${remote}'s default branch)` : ''),
  );
}

/**
 * Edits versions.yaml and renders; returns the paths to commit. On a failed render the edit is undone, so the
 * checkout is as it was.
 */
async function editAndRender(plan: Plan, opts: ChangeOptions, log: (line: string) => void): Promise<string[]> {
  const root = opts.root;
  const versionsFile = repoPaths.versions(plan.target);
  const versionsPath = path.join(root, versionsFile);
  const before = await fsp.readFile(versionsPath, 'utf8').catch(() => '');
  await fsp.writeFile(versionsPath, setVersions(before, new Map(plan.changes.map((c) => [c.app, c.to]))));
  const paths = [versionsFile, repoPaths.clustersDir];
  try {
    if (opts.render !== false) {
      log(`Rendering clusters/ …`);
      await (opts.render ?? renderCheckout)(root);
    }
  } catch (err) {
    await restorePaths(
      root,
      paths.filter((p) => p === versionsFile || existsSync(path.join(root, p))),
    );
    throw err;
  }
  return paths.filter((p) => existsSync(path.join(root, p)));
}

/**
 * A branch of this name exists (a run whose push was refused, or that stopped before it). It can be used only if it
 * is one commit on the checked-out commit; `reuseBranch` then compares its files with what this run makes.
 */
async function branchOnStart(root: string, branch: string, plan: Plan, start: CheckedOut): Promise<{ branch: string; commit: string; tree: string }> {
  const commit = (await git(root, ['rev-parse', `refs/heads/${branch}`])).trim();
  const { tree, parent } = await commitShape(root, commit);
  if (parent !== start.commit) {
    throw differentBranch(branch, plan, start, `its commit ${commit.slice(0, 12)} does not sit directly on ${where(start)} (${start.commit.slice(0, 12)})`);
  }
  return { branch, commit, tree };
}

/**
 * Uses the existing branch only when its files are exactly those this run made in the working tree. The working
 * changes are put back either way; on success the branch is checked out, as a new one would be.
 */
async function reuseBranch(root: string, existing: { branch: string; commit: string; tree: string }, paths: string[], plan: Plan, start: CheckedOut): Promise<string> {
  const made = await treeWithChanges(root, paths);
  await restorePaths(root, paths);
  if (made !== existing.tree) {
    throw differentBranch(existing.branch, plan, start, `its files differ from what this run made: ${summary(await changedFiles(root, made, existing.tree))}`);
  }
  await git(root, ['switch', '--quiet', existing.branch]);
  return existing.commit;
}

function differentBranch(branch: string, plan: Plan, start: CheckedOut, why: string): HintedError {
  return new HintedError(
    `branch ${branch} already exists and is not what this ${plan.kind} would commit: ${why}`,
    `to use that branch as it is, push it (git push -u ${remote} ${branch}); to make the ${plan.kind} again from ${where(start)}, delete it (git branch -D ${branch}) and run again`,
  );
}

const where = (at: CheckedOut) => at.branch ?? at.commit.slice(0, 12);

function summary(files: string[]): string {
  return `${files.slice(0, 5).join(', ')}${files.length > 5 ? `, and ${files.length - 5} more` : ''}`;
}
