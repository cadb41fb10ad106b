/**
 * release and promote as actions on a checkout: plan (pure, plan.ts), edit versions.yaml, render, branch, commit,
 * and optionally push and open the pull request. `dryRun` stops after printing the plan.
 */
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { repoPaths } from '../paths.js';
import { enableAutoMerge, githubConfig, openPullRequest, type PullRequest } from './github.js';
import { branchExists, changedFiles, commitOnNewBranch, currentBranch, diffStat, push, renderCheckout, restorePaths, uncommitted } from './git.js';
import { promotionChainOf, readClusterIndex } from '../cluster-index.js';
import { formatMatrixMarkdown, readMatrix } from './matrix.js';
import { branchName, commitMessage, planPromotion, planRelease, planRollback, prBody, prTitle, versionTable, type Plan } from './plan.js';
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
  /** Branch the pull request targets; default the branch the checkout was on. */
  base?: string;
  /**
   * How to render the changed checkout; default `node scripts/render.mjs` in it. `false` skips rendering: only for
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
    throw new Error(
      `the working tree has uncommitted changes (${dirty
        .slice(0, 5)
        .map((l) => l.slice(3))
        .join(', ')}${dirty.length > 5 ? ', …' : ''}); ` + `commit or stash them first, so that the ${plan.kind} commit holds only the ${plan.kind}`,
    );
  }
  if (await branchExists(root, branch)) {
    throw new Error(`branch ${branch} already exists; was this ${plan.kind} made before? Delete the branch (git branch -D ${branch}) to make it again`);
  }
  const baseBranch = opts.base ?? (await currentBranch(root));

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
  const toCommit = paths.filter((p) => existsSync(path.join(root, p)));
  const commit = await commitOnNewBranch(root, branch, toCommit, message);
  const stat = await diffStat(root, commit, toCommit);
  const files = await changedFiles(root, `${commit}^`, commit);
  log(`Committed ${commit.slice(0, 12)} on branch ${branch}:`);
  log(stat.replace(/^(?=.)/gm, '  '));

  let pullRequest: PullRequest | undefined;
  if (github) {
    await push(root, branch);
    const matrix = formatMatrixMarkdown(await readMatrix(root));
    pullRequest = await openPullRequest(github, { title: prTitle(plan), body: prBody(plan, stat, matrix), head: branch, base: baseBranch });
    log(`Opened pull request #${pullRequest.number}: ${pullRequest.url}`);
    if (opts.autoMerge) {
      await enableAutoMerge(github, pullRequest);
      log('Auto-merge is on: it merges once the required checks pass.');
    }
  } else {
    log(`\nNext: git push -u origin ${branch}, and open a pull request into ${baseBranch} (or run again with --open-pr).`);
  }
  return { plan, branch, message, commit, files, pullRequest };
}
