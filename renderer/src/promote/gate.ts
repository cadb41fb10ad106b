/**
 * The promotion gate, a required check on every pull request. Measured from the merge base with the base branch,
 * every version change in a step of the promotion chain (clusters/index.json on the base branch) after the first is
 * a promotion (the previous step runs it on the base branch; when Argo CD can be asked, that environment's primary
 * cluster must also be Synced and Healthy at a revision that deploys it, its last sync operation must have succeeded
 * there, hooks included, and the cluster's post-deploy tests must last have run, and passed, at a revision that
 * deploys it), a retirement, a rollback (the environment
 * ran it before), a hotfix of an app its `Hotfix:` trailer names, or refused. Other changes reaching the end of the
 * chain pass but are listed. A new environment in the chain starts only with versions its predecessor ran. And what
 * Argo CD will sync, the pull request's clusters/, must be what this (the base branch's) renderer makes of the pull
 * request's inputs (output.ts), unless the pull request changes the render pipeline itself.
 */
import { promises as fsp } from 'node:fs';
import { argocdConfig, variableSuffix } from '../argocd/api.js';
import { operationProblems, type ApplicationState } from '../argocd/application.js';
import type { ArgocdClientOptions } from '../argocd/client.js';
import { observeCluster, type ClusterObservation } from '../argocd/observe.js';
import { appApplication, postDeployApplication, primaryCluster, readClusterIndex } from '../cluster-index.js';
import { allowedHint, UsageError } from '../errors.js';
import { repoPaths } from '../paths.js';
import { checkOutput, type OutputCheck } from './output.js';
import { changedFiles, fetchCommit, gitReader, hasCommit, mergeBase, resolveCommit, trailerValues } from '../git.js';
import { readCalls, readCatalogue, readImages, readVersions, versionHistory, type PastVersion } from './repo.js';
import { formatTable, shortRevision } from './table.js';
import type { Versions } from './versions.js';
import { causedChanges, wiringChanges, type CausedChange, type WiringChange } from './wiring.js';

/**
 * Why a version change in a gated environment passes, or that it does not:
 * - promotion: the previous environment runs the new version on the base branch (also when the app is new here);
 * - retirement: the app leaves the environment (Argo CD prunes it);
 * - rollback: the environment ran the new version before (its versions.yaml held it on the base branch's history);
 * - hotfix: none of these, but a commit of the pull request carries the break-glass marker naming the app
 *   (a `Hotfix: <app>: <reason>` trailer);
 * - refused: none of these.
 */
type MoveKind = 'promotion' | 'retirement' | 'rollback' | 'hotfix' | 'refused';

/** One app whose version changes in a gated environment. */
interface VersionMove {
  env: string;
  app: string;
  base: string | undefined;
  head: string | undefined;
  previousEnv: string;
  /** What the previous environment runs on the base branch. */
  previousVersion: string | undefined;
  kind: MoveKind;
  /** For a rollback: the newest commit on the base branch where this environment had the version. */
  ranAt?: string;
  ok: boolean;
}

/** What the gate knows besides the two sets of versions files. */
interface MoveFacts {
  /** The commit at which `env` had `version` of `app` on the base branch's history, if it ever did. */
  ranBefore(env: string, app: string, version: string): string | undefined;
  /** The apps the pull request's `Hotfix:` trailers name. */
  hotfixApps: ReadonlySet<string>;
}

/**
 * The version rule over the versions files of the merge base (`from`), the base branch's tip (`base`, where the
 * previous environments are read) and the head. Development is where releases enter: not gated.
 */
function versionMoves(
  chain: readonly string[],
  from: ReadonlyMap<string, Versions>,
  base: ReadonlyMap<string, Versions>,
  head: ReadonlyMap<string, Versions>,
  facts: MoveFacts,
): VersionMove[] {
  const moves: VersionMove[] = [];
  const envs = chain;
  for (let i = 1; i < envs.length; i++) {
    const env = envs[i]!;
    const previousEnv = envs[i - 1]!;
    const before = from.get(env) ?? new Map();
    const after = head.get(env) ?? new Map();
    for (const app of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      if (before.get(app) === after.get(app)) continue;
      const previousVersion = base.get(previousEnv)?.get(app);
      const headVersion = after.get(app);
      const ranAt = headVersion === undefined || headVersion === previousVersion ? undefined : facts.ranBefore(env, app, headVersion);
      const kind: MoveKind =
        headVersion === undefined
          ? 'retirement'
          : headVersion === previousVersion
            ? 'promotion'
            : ranAt !== undefined
              ? 'rollback'
              : facts.hotfixApps.has(app)
                ? 'hotfix'
                : 'refused';
      moves.push({ env, app, base: before.get(app), head: headVersion, previousEnv, previousVersion, kind, ranAt, ok: kind !== 'refused' });
    }
  }
  return moves;
}

/** One version a new environment of the chain starts with: it must have run in the environment it promotes from. */
interface ChainStart {
  env: string;
  app: string;
  version: string;
  previousEnv: string;
  /** What the previous environment runs on the base branch (or, when it is new too, in the pull request). */
  previousVersion: string | undefined;
  ok: boolean;
}

/**
 * The chain rule: every environment of the head's chain that the base branch's chain does not have (a new
 * `promotesFrom`) starts only with versions that ran in its predecessor, so that a version never run anywhere cannot
 * enter the chain and later pass as a promotion. A predecessor that is new too passes on what it was shown to hold.
 */
function chainStarts(
  baseChain: readonly string[],
  headChain: readonly string[],
  head: ReadonlyMap<string, Versions>,
  ranIn: (env: string, app: string, version: string) => boolean,
): ChainStart[] {
  const ran = (i: number, app: string, version: string): boolean => {
    const previous = headChain[i - 1]!;
    if (baseChain.includes(previous)) return ranIn(previous, app, version);
    return head.get(previous)?.get(app) === version && (i - 1 === 0 || ran(i - 1, app, version));
  };
  const out: ChainStart[] = [];
  for (let i = 1; i < headChain.length; i++) {
    const env = headChain[i]!;
    if (baseChain.includes(env)) continue;
    const previousEnv = headChain[i - 1]!;
    for (const [app, version] of [...(head.get(env) ?? new Map<string, string>())].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out.push({ env, app, version, previousEnv, previousVersion: head.get(previousEnv)?.get(app), ok: ran(i, app, version) });
    }
  }
  return out;
}

/**
 * The apps a `Hotfix:` trailer names: `Hotfix: <app>[, <app>…]: <reason>`, each an app of the catalogue; [] for a
 * trailer that names none (the old `Hotfix: <reason>`), which unlocks nothing, so one marker cannot carry every
 * skipped step of a pull request.
 */
function hotfixApps(value: string, catalogue: readonly string[]): string[] {
  const colon = value.indexOf(':');
  if (colon < 0 || value.slice(colon + 1).trim() === '') return [];
  const apps = value
    .slice(0, colon)
    .split(',')
    .map((a) => a.trim());
  return apps.every((a) => catalogue.includes(a)) ? apps : [];
}

/**
 * Changed files that reach an environment (the end of the chain) but are not a version change: its overlay other
 * than versions.yaml, the shared sources (apps/, base/), and its rendered files outside the folders of changed apps
 * and the post-deploy tests.
 */
function otherChangesReaching(
  env: string,
  changed: string[],
  clusters: string[],
  changedApps: string[],
  caused: CausedChange[],
  deployedThere: (app: string) => boolean,
): string[] {
  const versions = repoPaths.versions(env);
  // The post-deploy tests name every app's version (a deploy reruns them), so a version change changes them too.
  const explained = clusters.flatMap((c) => [
    ...changedApps.map((app) => `${repoPaths.appFolder(c, app)}/`),
    ...(changedApps.length > 0 ? [`${repoPaths.postDeployFolder(c)}/`] : []),
  ]);
  const output = clusters.map((c) => `${repoPaths.clusterDir(c)}/`);
  // A shared input reaches the environment only through its output (the output rule proves clusters/ is what the
  // inputs render): a catalogue file of an app it never ran, or base/ when none of its files change, does not.
  const outputChanges = changed.some((f) => output.some((p) => f.startsWith(p)));
  const catalogueApp = (f: string) => (f.startsWith(`${repoPaths.appsDir}/`) && f.endsWith('.yaml') ? f.slice(repoPaths.appsDir.length + 1, -'.yaml'.length) : undefined);
  const reaches = (f: string) => {
    if (f.startsWith(`${repoPaths.overlayDir(env)}/`) || output.some((p) => f.startsWith(p))) return true;
    const app = catalogueApp(f);
    if (app !== undefined) return deployedThere(app) && outputChanges;
    return (f.startsWith(`${repoPaths.appsDir}/`) || f.startsWith(`${repoPaths.baseDir}/`)) && outputChanges;
  };
  return changed.filter((f) => f !== versions && reaches(f) && !explained.some((p) => f.startsWith(p)) && !caused.some((c) => c.file === f));
}

/** What Argo CD said about the previous environment's Application of a promoted app. */
interface HealthFinding {
  application: string;
  state?: ApplicationState;
  /** The version in versions.yaml at the Application's synced revision, when that commit could be read. */
  revisionVersion?: string;
  ok: boolean;
  problem?: string;
}

/** The health rule for one promotion, over what Argo CD and git said. */
function judgeHealth(application: string, expected: string, state: ApplicationState, revisionVersion: string | undefined): HealthFinding {
  const problems: string[] = [];
  if (state.sync !== 'Synced') problems.push(`is ${state.sync}, not Synced`);
  if (state.health !== 'Healthy') problems.push(`is ${state.health}, not Healthy`);
  // Synced and Healthy say what runs; the last operation says whether deploying it succeeded, hooks included.
  problems.push(...operationProblems(state.operation, state.revision));
  if (revisionVersion !== undefined && revisionVersion !== expected) {
    problems.push(`is at ${shortRevision(state.revision)} where versions.yaml has ${revisionVersion}, not ${expected}`);
  }
  if (state.version !== undefined && state.version !== expected) problems.push(`runs image tag ${state.version}, not ${expected}`);
  if (revisionVersion === undefined && state.version === undefined) {
    problems.push(`shows neither a readable synced revision nor the app's image, so ${expected} cannot be confirmed`);
  }
  return {
    application,
    state,
    revisionVersion,
    ok: problems.length === 0,
    problem: problems.length ? `${application} ${problems.join(', ')}` : undefined,
  };
}

/**
 * The post-deploy rule for one promotion: the cluster's post-deploy tests (PostSync hooks) last ran at a revision
 * that deploys the promoted version (`testedVersion`, read from that revision's versions.yaml), and that run
 * succeeded, every hook included.
 */
function judgePostDeploy(
  seen: { application: string; state?: ApplicationState; error?: string } | undefined,
  application: string,
  server: string,
  app: string,
  expected: string,
  testedVersion: string | undefined,
): string[] {
  if (!seen?.state) return [`post-deploy tests: ${seen?.error ?? `Argo CD at ${server} has no Application ${application}`}`];
  const op = seen.state.operation;
  const problems = operationProblems(op, undefined);
  if (op?.revision !== undefined && testedVersion !== expected) {
    problems.push(`last ran at ${op.revision.slice(0, 7)}, where versions.yaml has ${app} ${testedVersion ?? '(none)'}, so they have not tested ${expected}`);
  }
  return problems.map((p) => `post-deploy tests ${application} ${p}`);
}

/** Reads GATE_REQUIRE_ARGOCD: the environments whose promotions fail when the health part cannot run. */
function requiredHealthEnvs(value: string | undefined, chain: readonly string[]): string[] {
  const names = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!chain.includes(name)) {
      throw new UsageError(`GATE_REQUIRE_ARGOCD: unknown environment '${name}'; ${allowedHint(name, chain)}`);
    }
  }
  return names;
}

export interface GateOptions {
  root: string;
  /** The base branch's commit (in a pull request: its base sha). Changes are measured from its merge base with head. */
  base: string;
  /** Default HEAD (in a pull request: its head sha, or the merge commit). */
  head?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  argocd?: ArgocdClientOptions;
  /**
   * What Argo CD said, read from files (`npm run versions -- --live --format json`) instead of asked live: the
   * judging job then holds no token. A cluster without an observation counts as not configured.
   */
  observations?: ClusterObservation[];
  /**
   * The checkout whose compiled renderer renders the pull request's inputs: default this one, whose code runs the
   * gate (in CI the base branch's). Tests name a built copy of it, so no test rebuilds this checkout's dist/.
   */
  renderer?: string;
}

export interface GateResult {
  passed: boolean;
  moves: VersionMove[];
  health: Map<string, HealthFinding>;
  skipped: string[];
  other: string[];
  /** The `Hotfix:` trailers found in the pull request's commits, with the apps each names ([] for none: refused). */
  hotfix: HotfixMarker[];
  /** The versions new environments of the chain start with. */
  chain: ChainStart[];
  /** clusters/ against what the base branch's renderer makes of the pull request's inputs. */
  output: OutputCheck;
  /** Calls that start or stop being live in an environment of the chain, each with the app whose move caused it. */
  wiring: WiringChange[];
  /** Rendered files of the chain's end that a version change explains (its Application, the wiring it completes). */
  caused: CausedChange[];
  report: string;
}

interface HotfixMarker {
  commit: string;
  value: string;
  apps: string[];
}

/** The commit-message trailer that marks a break-glass hotfix (README, Hotfix). */
const hotfixTrailer = 'Hotfix';

/**
 * The clusters whose Argo CD the gate may ask: the primary of every environment that another one is promoted from.
 * A workflow turns this list into one job per cluster, each holding only that cluster's token.
 */
export async function gateClusters(root: string, rev: string): Promise<{ cluster: string; environment: string; suffix: string }[]> {
  const index = await readClusterIndex(gitReader(root, await resolveCommit(root, rev)));
  const out: { cluster: string; environment: string; suffix: string }[] = [];
  for (const env of index.promotionChain.slice(0, -1)) {
    const primary = primaryCluster(index, env);
    out.push({ cluster: primary.name, environment: env, suffix: variableSuffix(primary.name) });
  }
  return out;
}

/** Runs the gate and returns its report; exit 0 when it passes, 3 when it refuses. */
export async function runGate(opts: GateOptions): Promise<GateResult> {
  const env = opts.env ?? process.env;
  const revisions = await readRevisions(opts);
  const { chain } = revisions;
  const required = requiredHealthEnvs(env.GATE_REQUIRE_ARGOCD, chain);
  const { moves, hotfix, starts } = await judgeVersionChanges(opts.root, revisions);
  const { health, skipped } = await checkPromotedHealth(opts, env, revisions, moves);
  const last = await checkChainEnd(opts, revisions, moves);
  const first = chain[0]!;
  const entering = revisions.headVersions.get(first) ?? new Map();
  const leaving = revisions.fromVersions.get(first) ?? new Map();
  const releases = [...entering].filter(([app, v]) => leaving.get(app) !== v);
  const retiredFirst = [...leaving.keys()].filter((app) => !entering.has(app));

  const failedRequired = [...skipped.keys()].filter((e) => required.includes(e));
  const passed =
    moves.every((m) => m.ok) &&
    [...health.values()].every((h) => h.ok) &&
    failedRequired.length === 0 &&
    hotfix.every((t) => t.apps.length > 0) &&
    starts.every((s) => s.ok) &&
    outputPasses(last.output);
  const { headChain, tip, from, head } = revisions;
  const report = formatReport({
    chain,
    headChain,
    tip,
    from,
    head,
    moves,
    health,
    skipped: [...skipped.keys()],
    unasked: skipped,
    inCi: opts.observations !== undefined,
    failedRequired,
    other: last.other,
    releases,
    retiredFirst,
    first,
    hotfix,
    starts,
    output: last.output,
    wiring: last.wiring,
    caused: last.caused,
    passed,
    env,
  });
  await publishReport(report, moves, hotfix, env, opts.log ?? ((l: string) => console.log(l)));
  return { passed, moves, health, skipped: [...skipped.keys()], other: last.other, hotfix, chain: starts, output: last.output, wiring: last.wiring, caused: last.caused, report };
}

/** The three revisions the gate compares, the chain at the base and at the head, and every environment's versions at each. */
interface GateRevisions {
  tip: string;
  head: string;
  from: string;
  baseReader: ReturnType<typeof gitReader>;
  headReader: ReturnType<typeof gitReader>;
  baseIndex: Awaited<ReturnType<typeof readClusterIndex>>;
  headIndex: Awaited<ReturnType<typeof readClusterIndex>>;
  chain: readonly string[];
  headChain: readonly string[];
  fromVersions: Map<string, Versions>;
  tipVersions: Map<string, Versions>;
  headVersions: Map<string, Versions>;
}

async function readRevisions(opts: GateOptions): Promise<GateRevisions> {
  const tip = await resolveCommit(opts.root, opts.base);
  const head = await resolveCommit(opts.root, opts.head ?? 'HEAD');
  // Measured from the merge base, so a branch that is behind is judged on what it changes, not on what the base
  // branch changed since; the previous environments are read at the tip, where they are now.
  const from = await mergeBase(opts.root, tip, head);
  const baseReader = gitReader(opts.root, tip);
  // The chain as the base branch has it: a pull request cannot reorder the chain and use the new order at once.
  const baseIndex = await readClusterIndex(baseReader);
  const chain = baseIndex.promotionChain;
  const read = async (rev: string) => {
    const reader = gitReader(opts.root, rev);
    const all = new Map<string, Versions>();
    for (const e of chain) all.set(e, (await readVersions(reader, e)).versions);
    return all;
  };
  const [fromVersions, tipVersions, headVersions] = [await read(from), await read(tip), await read(head)];
  const headReader = gitReader(opts.root, head);
  const headIndex = await readClusterIndex(headReader);
  const headChain = headIndex.promotionChain;
  for (const e of headChain) if (!headVersions.has(e)) headVersions.set(e, (await readVersions(headReader, e)).versions);
  return { tip, head, from, baseReader, headReader, baseIndex, headIndex, chain, headChain, fromVersions, tipVersions, headVersions };
}

/** Every version move labelled, the `Hotfix:` trailers with the apps they name, and what new environments start with. */
async function judgeVersionChanges(root: string, r: GateRevisions): Promise<{ moves: VersionMove[]; hotfix: HotfixMarker[]; starts: ChainStart[] }> {
  const { chain, headChain, tip, from, head, fromVersions, tipVersions, headVersions } = r;
  const histories = new Map<string, Map<string, PastVersion[]>>();
  for (const e of chain.slice(1)) {
    if (!sameVersions(fromVersions.get(e)!, headVersions.get(e)!)) histories.set(e, await versionHistory(root, tip, e));
  }
  const catalogue = [...new Set([...(await readCatalogue(r.baseReader)), ...(await readCatalogue(r.headReader))])];
  const hotfix = (await trailerValues(root, from, head, hotfixTrailer)).map((t) => ({ ...t, apps: hotfixApps(t.value, catalogue) }));
  const moves = versionMoves(chain, fromVersions, tipVersions, headVersions, {
    ranBefore: (e, app, version) =>
      histories
        .get(e)
        ?.get(app)
        ?.find((p) => p.version === version)?.commit,
    hotfixApps: new Set(hotfix.flatMap((t) => t.apps)),
  });
  // Where a new environment promotes from: what that environment ran, from its history on the base branch.
  const predecessors = headChain.filter((e, i) => chain.includes(e) && headChain[i + 1] !== undefined && !chain.includes(headChain[i + 1]!));
  for (const e of predecessors) if (!histories.has(e)) histories.set(e, await versionHistory(root, tip, e));
  const starts = chainStarts(
    chain,
    headChain,
    headVersions,
    (e, app, version) =>
      histories
        .get(e)
        ?.get(app)
        ?.some((p) => p.version === version) ?? false,
  );
  return { moves, hotfix, starts };
}

/**
 * The health part: what Argo CD says of each promoted app in the previous environment's primary cluster. Only for
 * promotions (a rollback or a hotfix does not come from the previous environment).
 */
async function checkPromotedHealth(
  opts: GateOptions,
  env: NodeJS.ProcessEnv,
  r: GateRevisions,
  moves: VersionMove[],
): Promise<{ health: Map<string, HealthFinding>; skipped: Map<string, string> }> {
  const health = new Map<string, HealthFinding>();
  /** The environments whose promotions were not asked about, each with the cluster whose Argo CD is not configured. */
  const skipped = new Map<string, string>();
  const images = await readImages(r.baseReader, await readCatalogue(r.baseReader));
  for (const move of moves.filter((m) => m.kind === 'promotion')) {
    const primary = primaryCluster(r.baseIndex, move.previousEnv);
    const application = appApplication(primary, move.app);
    if (application === undefined) throw new Error(`${repoPaths.clusterIndex} lists no Application of ${move.app} in cluster ${primary.name}; cannot ask Argo CD about it`);
    const postDeploy = postDeployApplication(primary);
    const observation = opts.observations
      ? opts.observations.find((o) => o.cluster === primary.name)
      : await observeCluster(
          argocdConfig(env, primary.name, move.previousEnv),
          { cluster: primary.name, environment: move.previousEnv },
          new Map([[move.app, { application, image: images.get(move.app) }]]),
          { ...opts.argocd, ...(postDeploy ? { postDeploy } : {}) },
        );
    if (!observation?.server) {
      skipped.set(move.env, primary.name);
      continue;
    }
    const seen = observation.applications[move.app];
    if (!seen?.state) {
      health.set(`${move.env}/${move.app}`, { application, ok: false, problem: seen?.error ?? `Argo CD at ${observation.server} has no Application ${application}` });
      continue;
    }
    /** The version of the app in the previous environment's versions.yaml at a revision Argo CD names, when readable. */
    const versionAt = async (revision: string | undefined): Promise<string | undefined> => {
      if (!revision || !/^[0-9a-f]{40}$/.test(revision)) return undefined;
      if (!(await hasCommit(opts.root, revision)) && !(await fetchCommit(opts.root, revision))) return undefined;
      return (await readVersions(gitReader(opts.root, revision), move.previousEnv)).versions.get(move.app);
    };
    const finding = judgeHealth(application, move.head!, seen.state, await versionAt(seen.state.revision));
    if (postDeploy) {
      const tests = observation.postDeploy;
      const problems = judgePostDeploy(tests, postDeploy, observation.server, move.app, move.head!, await versionAt(tests?.state?.operation?.revision));
      if (problems.length > 0) {
        finding.ok = false;
        finding.problem = [finding.problem, ...problems].filter(Boolean).join('; ');
      }
    }
    health.set(`${move.env}/${move.app}`, finding);
  }
  return { health, skipped };
}

/**
 * The chain's end: clusters/ against a render of the head's inputs, the wiring the version changes cause, the rendered
 * files they explain, and every other change that reaches its clusters.
 */
async function checkChainEnd(
  opts: GateOptions,
  r: GateRevisions,
  moves: VersionMove[],
): Promise<{ output: OutputCheck; wiring: WiringChange[]; caused: CausedChange[]; other: string[] }> {
  const { chain, headChain, tip, from, head, fromVersions, headVersions } = r;
  const last = chain.at(-1)!;
  const changed = await changedFiles(opts.root, from, head);
  const output = await checkOutput(opts.root, { from, tip, head, changed, renderer: opts.renderer });
  const lastClusters = r.headIndex.clusters.filter((c) => c.environment === last).map((c) => c.name);
  const explained = moves.filter((m) => m.env === last).map((m) => m.app);
  // What the version changes do to the call graph of each environment, and the rendered files that follow from them.
  const [fromCalls, headCalls] = await Promise.all([readCalls(opts.root, from), readCalls(opts.root, head)]);
  const wiring = headChain
    .filter((e) => chain.includes(e))
    .flatMap((e) => wiringChanges(e, { calls: fromCalls, versions: fromVersions.get(e) ?? new Map() }, { calls: headCalls, versions: headVersions.get(e) ?? new Map() }));
  const changedSet = new Set(changed);
  const caused = causedChanges(
    last,
    lastClusters,
    moves.filter((m) => m.env === last),
    wiring.filter((w) => w.env === last),
    {
      argocdManifest: (c) => repoPaths.manifest(repoPaths.argocdFolder(c)),
      appManifest: (c, app) => repoPaths.manifest(repoPaths.appFolder(c, app)),
      appInputs: (app) => [repoPaths.app(app), repoPaths.appOverride(last, app)],
    },
    changedSet,
  );
  const deployedLast = (app: string) => fromVersions.get(last)?.has(app) === true || headVersions.get(last)?.has(app) === true;
  const other = otherChangesReaching(last, changed, lastClusters, explained, caused, deployedLast);
  return { output, wiring, caused, other };
}

/** The report to the log, the job summary, and (for a hotfix) an annotation on the pull request's checks. */
async function publishReport(report: string, moves: VersionMove[], hotfix: HotfixMarker[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  log(report);
  const hotfixes = moves.filter((m) => m.kind === 'hotfix');
  if (env.GITHUB_STEP_SUMMARY) {
    const caution = hotfixes.length ? `> [!CAUTION]\n> ${hotfixWarning(hotfixes, hotfix).join('\n> ')}\n\n` : '';
    await fsp.appendFile(env.GITHUB_STEP_SUMMARY, `## Promotion gate\n\n${caution}\`\`\`\n${report}\n\`\`\`\n`);
  }
  // A workflow command: GitHub shows it as an annotation on the pull request's checks, where reviewers look.
  // https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#setting-a-warning-message
  if (env.GITHUB_ACTIONS === 'true' && hotfixes.length) {
    // The message holds the trailer's text, so it is escaped the way workflow commands require.
    const message = hotfixWarning(hotfixes, hotfix).join(' ').replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    log(`::warning title=HOTFIX (break-glass)::${message}`);
  }
}

function sameVersions(a: Versions, b: Versions): boolean {
  return a.size === b.size && [...a].every(([app, v]) => b.get(app) === v);
}

/** The loud lines a hotfix gets, in the report, the job summary and the pull request. */
function hotfixWarning(moves: VersionMove[], markers: HotfixMarker[]): string[] {
  const used = markers.filter((t) => moves.some((m) => t.apps.includes(m.app)));
  return [
    `HOTFIX (break-glass): ${moves.map((m) => `${m.env} ${m.app} ${m.base ?? '(none)'} → ${m.head} without ${m.previousEnv} (which runs ${m.previousVersion ?? 'no version of it'})`).join('; ')}.`,
    `Passed only because of the ${hotfixTrailer} trailer: ${used.map((t) => `"${t.value}" (${shortRevision(t.commit)})`).join(', ')}. A code owner must approve this pull request;`,
    `afterwards bring the same version through the chain (release and promote it) so the environments agree again.`,
  ];
}

const kindLabel: Record<MoveKind, string> = {
  promotion: 'promotion',
  retirement: 'retirement',
  rollback: 'rollback',
  hotfix: 'HOTFIX',
  refused: 'FAIL',
};

/** The output rule's verdict: confirmed by the base renderer, or attributed to a renderer change that touches nothing else. */
function outputPasses(o: OutputCheck): boolean {
  return o.unexplained.length === 0 && o.mixedInputs.length === 0 && (o.confirmed || o.rendererChanges.length > 0);
}

/** The report's part on clusters/: what the base renderer confirmed, refused, or could not judge. */
function formatOutput(o: OutputCheck, tip: string): string[] {
  const renderer = `the base branch's renderer (${shortRevision(tip)})`;
  const out: string[] = [];
  const listed = [...o.findings.map((f) => `  ${f.how}: ${f.file}`), ...o.refusedInputs.map((l) => `  ${l.replace(/\n/g, '\n  ')}`)];
  if (o.rendererChanges.length > 0) {
    out.push(`Renderer change: ${o.rendererChanges.join(', ')}`);
    out.push(
      `  ${renderer} cannot judge output of renderer code it does not have: ${o.findings.length + o.refusedInputs.length === 0 ? 'it makes the same clusters/ from these inputs' : 'what it makes differs, explained only by this change'}.`,
    );
    out.push(...listed.map((l) => `  ${l}`));
    out.push(
      `  A code owner must approve the renderer change (CODEOWNERS); validate's render --check proves clusters/ is what the changed renderer makes (all of the code it runs is code-owned).`,
    );
    if (o.mixedInputs.length > 0) {
      out.push(
        `✗ The pull request also changes inputs (${o.mixedInputs.join(', ')}), whose effect on clusters/ the base branch's renderer cannot tell apart from the code's. ` +
          `Change the renderer in a pull request of its own (keeping it able to read the inputs as they are), then the inputs.`,
      );
    }
    return out;
  }
  if (o.confirmed) out.push(`Rendered output: clusters/ is what ${renderer} makes of this pull request's inputs.`);
  else if (o.refusedInputs.length > 0) {
    out.push(`✗ ${renderer} refuses this pull request's inputs, so clusters/ cannot be what it makes of them:`, ...listed);
  } else {
    out.push(`✗ clusters/ is not what ${renderer} makes of this pull request's inputs (hand-edited output is refused):`, ...listed);
    out.push(`  Change the inputs and run npm run render; if the base branch's renderer changed since this branch started, merge the base branch first.`);
  }
  for (const u of o.unexplained) {
    out.push(
      `✗ ${u.file} changes, but no input of ${u.environment} does (${repoPaths.overlayDir(u.environment)}/, ${repoPaths.appsDir}/, ${repoPaths.baseDir}/): another environment's input reached it.`,
    );
  }
  return out;
}

/** The report's part on the promotion chain: a changed chain, and the versions a new environment starts with. */
function formatChain(base: readonly string[], head: readonly string[], starts: ChainStart[]): string[] {
  if (base.join() === head.join()) return [];
  const out = [`Chain change: ${base.join(' → ')} becomes ${head.join(' → ')} (environment.yaml: a code owner must approve).`];
  for (const env of [...new Set(starts.map((s) => s.env))]) {
    const mine = starts.filter((s) => s.env === env);
    const previousEnv = mine[0]!.previousEnv;
    const refused = mine.filter((s) => !s.ok);
    if (refused.length === 0) {
      out.push(`New environment ${env} starts with versions that ran in ${previousEnv}: ${mine.map((s) => `${s.app} ${s.version}`).join(', ')}.`);
      continue;
    }
    for (const s of refused) {
      out.push(`✗ ${env}: ${s.app} ${s.version} never ran in ${previousEnv}, which ${env} promotes from (${previousEnv} runs ${s.previousVersion ?? 'no version of it'}).`);
    }
    out.push(
      `  A new environment starts only with versions that ran in the one it promotes from. Either start ${env} with what ${previousEnv} runs ` +
        `(${refused.map((s) => `${s.app}: ${s.previousVersion ?? '(remove the line)'}`).join(', ')} in ${repoPaths.versions(env)}), ` +
        `or bring the version through ${previousEnv} first (release and promote it), then add ${env}.`,
    );
  }
  return out;
}

/** A move's label in the table: its kind, and "(new here)" for a promotion that brings the app in. */
function labelOf(m: VersionMove): string {
  return m.kind === 'promotion' && m.base === undefined ? 'promotion (new here)' : kindLabel[m.kind];
}

/** One call that a version change wires or leaves out, named with the change that caused it. */
function formatWiring(w: WiringChange, moves: VersionMove[], first: string): string {
  const move = moves.find((m) => m.env === w.env && m.app === w.by);
  const cause =
    w.by === undefined
      ? `by the change of ${repoPaths.app(w.caller)}`
      : move
        ? `by the ${labelOf(move)} of ${w.by}`
        : `by the ${w.env === first ? (w.now === 'wired' ? 'release' : 'retirement') : 'change'} of ${w.by}`;
  return w.now === 'wired'
    ? `⇄ wiring: ${w.env} ${w.caller} → ${w.callee} is live, completed ${cause} (its URL variable and network policy rules)`
    : `⇄ wiring: ${w.env} ${w.caller} → ${w.callee} is no longer live, ${cause} (its URL variable and network policy rules go)`;
}

/** Everything the gate report shows. */
interface GateReport {
  chain: readonly string[];
  headChain: readonly string[];
  tip: string;
  from: string;
  head: string;
  moves: VersionMove[];
  health: Map<string, HealthFinding>;
  skipped: string[];
  /** The cluster asked for each skipped environment, and whether the answers came from CI's per-cluster jobs. */
  unasked: Map<string, string>;
  inCi: boolean;
  failedRequired: string[];
  other: string[];
  releases: [string, string][];
  retiredFirst: string[];
  first: string;
  hotfix: HotfixMarker[];
  starts: ChainStart[];
  output: OutputCheck;
  wiring: WiringChange[];
  caused: CausedChange[];
  passed: boolean;
  env: NodeJS.ProcessEnv;
}

/** The report: a header, the version table, then one section per kind of finding, each empty when there is nothing to say. */
function formatReport(r: GateReport): string {
  return [
    ...reportHeader(r),
    ...movesTable(r),
    ...section(moveNotes(r)),
    ...skippedHealthSection(r),
    ...notGatedSection(r),
    ...section(formatChain(r.chain, r.headChain, r.starts)),
    '',
    ...formatOutput(r.output, r.tip),
    ...causedSection(r),
    ...otherChangesSection(r),
    '',
    r.passed ? 'Gate passed.' : 'Gate refused.',
  ].join('\n');
}

/** A blank line and the lines, or nothing when there are none. */
const section = (lines: string[]): string[] => (lines.length > 0 ? ['', ...lines] : []);

function reportHeader(r: GateReport): string[] {
  const base = r.from === r.tip ? `${shortRevision(r.from)} (base)` : `${shortRevision(r.from)} (base: the merge base with ${shortRevision(r.tip)})`;
  const out: string[] = [`Promotion gate: ${base} → ${shortRevision(r.head)} (head)`, ''];
  const hotfixes = r.moves.filter((m) => m.kind === 'hotfix');
  if (hotfixes.length > 0) out.push(...hotfixWarning(hotfixes, r.hotfix).map((l) => `!!! ${l}`), '');
  return out;
}

/** One row per version move with its rule and, for promotions, what Argo CD said of the previous environment. */
function movesTable(r: GateReport): string[] {
  if (r.moves.length === 0) return [`No version changes in ${r.chain.slice(1).join(' or ')}.`];
  const rows = r.moves.map((m) => {
    const h = r.health.get(`${m.env}/${m.app}`);
    const argo =
      m.kind !== 'promotion'
        ? '-'
        : h === undefined
          ? 'skipped'
          : h.state
            ? `${h.ok ? 'ok' : 'FAIL'}: ${h.application} ${h.state.sync}/${h.state.health} at ${shortRevision(h.state.revision)}${h.state.version ? ` (${h.state.version})` : ''}`
            : `FAIL: ${h.application}`;
    return [m.env, m.app, `${m.base ?? '(none)'} → ${m.head ?? '(retired)'}`, `${m.previousEnv} ${m.previousVersion ?? '(none)'}`, labelOf(m), argo];
  });
  return [formatTable(['ENV', 'APP', 'VERSION', 'PREVIOUS ENV ON BASE', 'VERSION RULE', 'ARGO CD'], rows)];
}

/** Rollbacks, retirements, refusals, wiring another app's move changes, trailers naming no app, and health failures. */
function moveNotes(r: GateReport): string[] {
  const notes: string[] = [];
  for (const m of r.moves) {
    if (m.kind === 'rollback')
      notes.push(`↩ rollback: ${m.env} ${m.app} ${m.base ?? '(none)'} → ${m.head}; ${m.env} ran ${m.head} at ${shortRevision(m.ranAt)} (its versions.yaml on the base branch)`);
    if (m.kind === 'retirement') notes.push(`− retirement: ${m.env} no longer runs ${m.app} (was ${m.base}); Argo CD prunes its Application and everything it deployed`);
    if (m.kind === 'refused') {
      notes.push(
        `✗ ${m.env}: ${m.app} ${m.base ?? '(none)'} → ${m.head}, but ${m.previousEnv} runs ${m.previousVersion ?? 'no version of it'} on the base branch; ` +
          `only what ${m.previousEnv} runs may enter ${m.env} (npm run promote -- --from ${m.previousEnv} --to ${m.env} --app ${m.app}). ` +
          `It is not a rollback either: ${m.env} never ran ${m.head} on the base branch (npm run rollback -- --env ${m.env} --app ${m.app} --dry-run lists what it ran). ` +
          `A break-glass hotfix needs a '${hotfixTrailer}: ${m.app}: <reason>' trailer and a code owner's approval (README, Hotfix).`,
      );
    }
  }
  // A new or leaving caller's own calls come with its folder; what needs saying is a call another app's move completes or cuts.
  for (const w of r.wiring.filter((x) => x.by !== x.caller)) notes.push(formatWiring(w, r.moves, r.first));
  for (const t of r.hotfix.filter((h) => h.apps.length === 0)) {
    notes.push(
      `✗ The ${hotfixTrailer} trailer "${t.value}" (${shortRevision(t.commit)}) names no app, so it unlocks nothing; ` +
        `name the apps it covers: '${hotfixTrailer}: <app>[, <app>]: <reason>', e.g. '${hotfixTrailer}: ${r.moves.find((m) => m.kind === 'refused')?.app ?? '<app>'}: ${t.value}'.`,
    );
  }
  for (const h of r.health.values()) if (!h.ok) notes.push(`✗ ${h.problem}`);
  return notes;
}

/** Which environments' health part was skipped, and the step that fixes it. */
function skippedHealthSection(r: GateReport): string[] {
  if (r.skipped.length === 0) return [];
  const out = ['', `The Argo CD health part was skipped for promotions into ${r.skipped.join(', ')}: no Argo CD is configured for the previous environment.`];
  // The step that fixes it: in CI only the per-cluster names reach the job (gate.yml); locally any of the lookup order.
  for (const cluster of new Set(r.unasked.values())) {
    const [server, token] = ['ARGOCD_SERVER', 'ARGOCD_AUTH_TOKEN'].map((name) => `${name}_${variableSuffix(cluster)}`);
    out.push(
      r.inCi
        ? `  To ask cluster ${cluster}: set the repository variable ${server} and the secret ${token} (docs/promotion.md, Argo CD access).`
        : `  To ask cluster ${cluster}: set ${server} and ${token} (or ARGOCD_SERVER and ARGOCD_AUTH_TOKEN, or the _<ENV> variants).`,
    );
  }
  for (const e of r.failedRequired) out.push(`✗ GATE_REQUIRE_ARGOCD=${r.env.GATE_REQUIRE_ARGOCD} requires the health part for ${e}.`);
  return out;
}

/** Releases into and retirements from the first environment, which the gate does not judge. */
function notGatedSection(r: GateReport): string[] {
  const lines: string[] = [];
  if (r.releases.length > 0) lines.push(`Releases into ${r.first} (not gated): ${r.releases.map(([app, v]) => `${app} ${v}`).join(', ')}`);
  if (r.retiredFirst.length > 0) lines.push(`Retired from ${r.first} (not gated): ${r.retiredFirst.join(', ')}`);
  return section(lines);
}

function causedSection(r: GateReport): string[] {
  if (r.caused.length === 0) return [];
  return [
    '',
    `Brought into ${r.chain.at(-1)} by its version changes (explained by them, so not listed as other changes):`,
    ...r.caused.map((c) => `  [${labelOf(r.moves.find((m) => m.env === c.env && m.app === c.app)!)} of ${c.app}] ${c.file}: ${c.why}`),
  ];
}

function otherChangesSection(r: GateReport): string[] {
  if (r.other.length === 0) return [];
  return ['', `Changes reaching ${r.chain.at(-1)} that are not version promotions (they pass the gate; review them):`, ...r.other.map((f) => `  [not a promotion] ${f}`)];
}
