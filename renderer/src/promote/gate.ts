/**
 * The promotion gate, a required check on every pull request: a version may enter a step of the promotion chain
 * (clusters/index.json on the base branch) only if the previous step runs it on the base branch; when Argo CD can be
 * asked, that environment's primary cluster must also be Synced and Healthy at a revision that deploys it. Other
 * changes reaching the end of the chain pass but are listed, so reviewers see them.
 */
import { promises as fsp } from 'node:fs';
import { argocdConfig } from '../argocd/api.js';
import { applicationState, type ApplicationState } from '../argocd/application.js';
import { ArgocdError, createArgocdClient, type ArgocdClientOptions } from '../argocd/client.js';
import { allowedHint } from '../errors.js';
import { repoPaths } from '../paths.js';
import { appApplication, primaryCluster, readClusterIndex } from '../cluster-index.js';
import { changedFiles, fetchCommit, hasCommit, resolveCommit } from './git.js';
import { UsageError } from './plan.js';
import { gitReader, readCatalogue, readImages, readVersions } from './repo.js';
import { formatTable, shortRevision } from './table.js';
import type { Versions } from './versions.js';

/** One app whose version changes in a gated environment. */
export interface VersionMove {
  env: string;
  app: string;
  base: string | undefined;
  head: string | undefined;
  previousEnv: string;
  /** What the previous environment runs on the base branch. */
  previousVersion: string | undefined;
  /** The version rule: head equals previousVersion. A removal (head undefined) is not a promotion and passes. */
  ok: boolean;
}

/** The version rule over the versions files of base and head. The chain's first step is where releases enter: not gated. */
export function versionMoves(chain: readonly string[], base: ReadonlyMap<string, Versions>, head: ReadonlyMap<string, Versions>): VersionMove[] {
  const moves: VersionMove[] = [];
  for (let i = 1; i < chain.length; i++) {
    const env = chain[i]!;
    const previousEnv = chain[i - 1]!;
    const before = base.get(env) ?? new Map();
    const after = head.get(env) ?? new Map();
    for (const app of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      if (before.get(app) === after.get(app)) continue;
      const previousVersion = base.get(previousEnv)?.get(app);
      const headVersion = after.get(app);
      moves.push({
        env,
        app,
        base: before.get(app),
        head: headVersion,
        previousEnv,
        previousVersion,
        ok: headVersion === undefined || headVersion === previousVersion,
      });
    }
  }
  return moves;
}

/**
 * Changed files that reach an environment (the end of the chain) but are not a version promotion: its overlay other
 * than versions.yaml, the shared sources (apps/, base/), and its rendered files outside the folders of promoted apps.
 */
export function otherChangesReaching(env: string, changed: string[], clusters: string[], promotedApps: string[]): string[] {
  const versions = repoPaths.versions(env);
  const explained = clusters.flatMap((c) => promotedApps.map((app) => `${repoPaths.appFolder(c, app)}/`));
  const reaches = [
    `${repoPaths.overlayDir(env)}/`,
    `${repoPaths.appsDir}/`,
    `${repoPaths.baseDir}/`,
    ...clusters.map((c) => `${repoPaths.clusterDir(c)}/`),
  ];
  return changed.filter((f) => f !== versions && reaches.some((p) => f.startsWith(p)) && !explained.some((p) => f.startsWith(p)));
}

/** What Argo CD said about the previous environment's Application of a promoted app. */
export interface HealthFinding {
  application: string;
  state?: ApplicationState;
  /** The version in versions.yaml at the Application's synced revision, when that commit could be read. */
  revisionVersion?: string;
  ok: boolean;
  problem?: string;
}

/** The health rule for one promotion, over what Argo CD and git said. */
export function judgeHealth(application: string, expected: string, state: ApplicationState, revisionVersion: string | undefined): HealthFinding {
  const problems: string[] = [];
  if (state.sync !== 'Synced') problems.push(`is ${state.sync}, not Synced`);
  if (state.health !== 'Healthy') problems.push(`is ${state.health}, not Healthy`);
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

/** Reads GATE_REQUIRE_ARGOCD: the environments whose promotions fail when the health part cannot run. */
export function requiredHealthEnvs(value: string | undefined, chain: readonly string[]): string[] {
  const names = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!chain.includes(name)) {
      throw new UsageError(`GATE_REQUIRE_ARGOCD: unknown environment '${name}'; ${allowedHint(name, chain)}`);
    }
  }
  return names;
}

export interface GateOptions {
  root: string;
  base: string;
  /** Default HEAD (in a pull request's checkout, the merge commit). */
  head?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  argocd?: ArgocdClientOptions;
}

export interface GateResult {
  passed: boolean;
  moves: VersionMove[];
  health: Map<string, HealthFinding>;
  skipped: string[];
  other: string[];
  report: string;
}

/** Runs the gate and returns its report; exit 0 when it passes, 3 when it refuses. */
export async function runGate(opts: GateOptions): Promise<GateResult> {
  const env = opts.env ?? process.env;
  const base = await resolveCommit(opts.root, opts.base);
  const head = await resolveCommit(opts.root, opts.head ?? 'HEAD');
  const baseReader = gitReader(opts.root, base);
  const headReader = gitReader(opts.root, head);
  // The chain as the base branch has it: a pull request cannot reorder the chain and use the new order at once.
  const baseIndex = await readClusterIndex(baseReader);
  const chain = baseIndex.promotionChain;
  const required = requiredHealthEnvs(env.GATE_REQUIRE_ARGOCD, chain);
  const baseVersions = new Map<string, Versions>();
  const headVersions = new Map<string, Versions>();
  for (const e of chain) {
    baseVersions.set(e, (await readVersions(baseReader, e)).versions);
    headVersions.set(e, (await readVersions(headReader, e)).versions);
  }
  const moves = versionMoves(chain, baseVersions, headVersions);
  const promotions = moves.filter((m) => m.head !== undefined);

  // The health part: only for promotions that pass the version rule (the others fail anyway).
  const health = new Map<string, HealthFinding>();
  const skipped = new Set<string>();
  const images = await readImages(baseReader, await readCatalogue(baseReader));
  for (const move of promotions.filter((m) => m.ok)) {
    const primary = primaryCluster(baseIndex, move.previousEnv);
    const config = argocdConfig(env, primary.name, move.previousEnv);
    if (!config) {
      skipped.add(move.env);
      continue;
    }
    const application = appApplication(primary, move.app);
    if (application === undefined) throw new Error(`${repoPaths.clusterIndex} lists no Application of ${move.app} in cluster ${primary.name}; cannot ask Argo CD about it`);
    try {
      const app = await createArgocdClient(config, opts.argocd).getApplication(application);
      const state = applicationState(app, images.get(move.app));
      let revisionVersion: string | undefined;
      if (state.revision && /^[0-9a-f]{40}$/.test(state.revision)) {
        if ((await hasCommit(opts.root, state.revision)) || (await fetchCommit(opts.root, state.revision))) {
          revisionVersion = (await readVersions(gitReader(opts.root, state.revision), move.previousEnv)).versions.get(move.app);
        }
      }
      health.set(`${move.env}/${move.app}`, judgeHealth(application, move.head!, state, revisionVersion));
    } catch (err) {
      if (!(err instanceof ArgocdError)) throw err;
      health.set(`${move.env}/${move.app}`, { application, ok: false, problem: err.message });
    }
  }

  const changed = await changedFiles(opts.root, base, head);
  const [first, last] = [chain[0], chain[chain.length - 1]];
  const headIndex = await readClusterIndex(headReader);
  const lastClusters = headIndex.clusters.filter((c) => c.environment === last).map((c) => c.name);
  const promotedToLast = promotions.filter((m) => m.env === last).map((m) => m.app);
  const other = last === undefined ? [] : otherChangesReaching(last, changed, lastClusters, promotedToLast);
  const releases = first === undefined ? [] : [...(headVersions.get(first) ?? new Map())].filter(([app, v]) => baseVersions.get(first)?.get(app) !== v);

  const failedRequired = [...skipped].filter((e) => required.includes(e));
  const passed = moves.every((m) => m.ok) && [...health.values()].every((h) => h.ok) && failedRequired.length === 0;
  const report = formatReport({ chain, base, head, moves, health, skipped: [...skipped], failedRequired, other, releases, passed, env });
  (opts.log ?? ((l: string) => console.log(l)))(report);
  if (env.GITHUB_STEP_SUMMARY) await fsp.appendFile(env.GITHUB_STEP_SUMMARY, `## Promotion gate\n\n\`\`\`\n${report}\n\`\`\`\n`);
  return { passed, moves, health, skipped: [...skipped], other, report };
}

function formatReport(r: {
  chain: readonly string[];
  base: string;
  head: string;
  moves: VersionMove[];
  health: Map<string, HealthFinding>;
  skipped: string[];
  failedRequired: string[];
  other: string[];
  releases: [string, string][];
  passed: boolean;
  env: NodeJS.ProcessEnv;
}): string {
  const out: string[] = [`Promotion gate: ${shortRevision(r.base)} (base) → ${shortRevision(r.head)} (head)`, ''];
  if (r.moves.length === 0) out.push(`No version changes in ${r.chain.slice(1).join(' or ') || 'gated environments'}.`);
  else {
    const rows = r.moves.map((m) => {
      const h = r.health.get(`${m.env}/${m.app}`);
      const argo =
        m.head === undefined || !m.ok
          ? '-'
          : h === undefined
            ? 'skipped'
            : h.state
              ? `${h.ok ? 'ok' : 'FAIL'}: ${h.application} ${h.state.sync}/${h.state.health} at ${shortRevision(h.state.revision)}${h.state.version ? ` (${h.state.version})` : ''}`
              : `FAIL: ${h.application}`;
      return [
        m.env,
        m.app,
        `${m.base ?? '(none)'} → ${m.head ?? '(removed)'}`,
        `${m.previousEnv} ${m.previousVersion ?? '(none)'}`,
        m.head === undefined ? 'not a promotion' : m.ok ? 'ok' : 'FAIL',
        argo,
      ];
    });
    out.push(formatTable(['ENV', 'APP', 'VERSION', 'PREVIOUS ENV ON BASE', 'VERSION RULE', 'ARGO CD'], rows));
  }
  const failures = r.moves.filter((m) => !m.ok);
  if (failures.length > 0) {
    out.push('');
    for (const m of failures) {
      out.push(
        `✗ ${m.env}: ${m.app} ${m.base ?? '(none)'} → ${m.head}, but ${m.previousEnv} runs ${m.previousVersion ?? 'no version of it'} on the base branch; ` +
          `only what ${m.previousEnv} runs may enter ${m.env} (npm run promote -- --from ${m.previousEnv} --to ${m.env} --app ${m.app})`,
      );
    }
  }
  for (const h of r.health.values()) if (!h.ok) out.push(`✗ ${h.problem}`);
  if (r.skipped.length > 0) {
    out.push('');
    out.push(
      `The Argo CD health part was skipped for promotions into ${r.skipped.join(', ')}: no Argo CD is configured for the previous environment ` +
        `(set ARGOCD_SERVER and ARGOCD_AUTH_TOKEN, or the _<ENV>/_<CLUSTER> variants).`,
    );
    for (const e of r.failedRequired) out.push(`✗ GATE_REQUIRE_ARGOCD=${r.env.GATE_REQUIRE_ARGOCD} requires the health part for ${e}.`);
  }
  if (r.releases.length > 0) {
    out.push('');
    out.push(`Releases into ${r.chain[0]} (not gated): ${r.releases.map(([app, v]) => `${app} ${v}`).join(', ')}`);
  }
  if (r.other.length > 0) {
    out.push('');
    out.push(`Changes reaching ${r.chain[r.chain.length - 1]} that are not version promotions (they pass the gate; review them):`);
    for (const f of r.other) out.push(`  [not a promotion] ${f}`);
  }
  out.push('');
  out.push(r.passed ? 'Gate passed.' : 'Gate refused.');
  return out.join('\n');
}
