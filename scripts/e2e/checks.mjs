// What npm run e2e proves against the real components: the server-side dry run of every rendered file, that a
// broken file is named, and the GitOps loop with the flows a user relies on. Decisions (verdicts, findings,
// node labels) are pure functions in renderer/src/e2e/; this module reads files, runs commands and waits.
import { $ } from 'zx';
import { readFileSync, readdirSync, writeFileSync, rmSync, mkdirSync, symlinkSync, cpSync, existsSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Every rendered document of every cluster, through clusters/index.json and its one reader (never by guessing
 * paths), each named `<file>:<line>` by the dry run's `manifestDocuments`.
 */
export function renderedFiles(root, parseClusterIndex, manifestDocuments) {
  const index = parseClusterIndex(readFileSync(path.join(root, 'clusters', 'index.json'), 'utf8'));
  const files = [];
  for (const cluster of index.clusters) {
    for (const folder of cluster.folders) {
      for (const name of readdirSync(path.join(root, folder.path))
        .filter((n) => n.endsWith('.yaml'))
        .sort()) {
        const content = readFileSync(path.join(root, folder.path, name), 'utf8');
        for (const d of manifestDocuments(`${folder.path}/${name}`, content)) files.push({ cluster: cluster.name, ...d });
      }
    }
  }
  return { index, files };
}

/** Namespaces the dry run needs to exist: every namespace an object names, and every rendered Namespace. */
export function namespacesOf(files) {
  const out = new Set();
  for (const f of files) {
    const o = parse(f.content);
    if (o?.metadata?.namespace) out.add(o.metadata.namespace);
    if (o?.kind === 'Namespace') out.add(o.metadata.name);
  }
  return [...out].sort();
}

export async function dryRunAll({ dryRun, kube, files, log }) {
  const result = await dryRun.dryRunFiles(kube, files);
  const byCluster = new Map();
  for (const f of files) byCluster.set(f.cluster, (byCluster.get(f.cluster) ?? 0) + 1);
  log(
    `  ${result.checked} documents of ${byCluster.size} clusters (${[...byCluster].map(([c, n]) => `${c} ${n}`).join(', ')}) sent as server-side apply, dryRun=All, fieldValidation=Strict`,
  );
  return result;
}

/**
 * A copy of one rendered Deployment with a field no schema has: the dry run must reject it and name that file.
 * Proves that findings are attributed, not just that the command fails.
 */
export async function proveBrokenFileIsNamed({ dryRun, kube, files }) {
  const victim = files.find((f) => /^kind: Deployment$/m.test(f.content));
  const broken = { file: `${victim.file} (deliberately broken copy)`, content: victim.content.replace(/\nspec:\n/, '\nspec:\n  replicaz: 2\n') };
  if (broken.content === victim.content) throw new Error(`could not break ${victim.file}: no top-level spec`);
  const result = await dryRun.dryRunFiles(kube, [victim, broken]);
  const named = result.findings.filter((f) => f.file === broken.file && f.severity === 'error');
  const others = result.findings.filter((f) => f.file !== broken.file);
  if (named.length !== 1 || others.length !== 0 || !/replicaz/.test(named[0].message)) {
    throw new Error(`the dry run did not name the broken file alone: ${JSON.stringify(result.findings)}`);
  }
  return dryRun.formatDryRunFindings(named)[0];
}

/**
 * The served repository: a clone of this checkout's HEAD whose base/platform.yaml points at the HTTPS server on
 * 127.0.0.1 (and, through `adjustSources`, whatever else must point at this machine), rendered by its own renderer
 * and committed in one extra commit, pushed to a bare repository.
 */
export async function prepareServedRepo({ root, stateDir, repoUrl, log, adjustSources = () => {}, commit }) {
  const work = path.join(stateDir, 'work');
  const bare = path.join(stateDir, 'served', 'agents-gitops.git');
  rmSync(work, { recursive: true, force: true });
  rmSync(path.dirname(bare), { recursive: true, force: true });
  const head = (await $`git -C ${root} rev-parse ${commit ?? 'HEAD'}`.quiet()).stdout.trim();
  if (commit) log(`  serving ${commit} (${head.slice(0, 12)}), not HEAD`);
  const dirty = (await $`git -C ${root} status --porcelain -- apps base overlays clusters renderer`.quiet()).stdout.trim();
  if (dirty)
    log(
      `  note: uncommitted changes under apps/ base/ overlays/ clusters/ renderer/ are not in the GitOps loop (it serves HEAD ${head.slice(0, 12)}); the dry run above checked the working tree`,
    );
  await $`git clone -q --no-hardlinks ${root} ${work}`.quiet();
  const git = $({ cwd: work, quiet: true });
  await git`git checkout -q -B main ${head}`;
  await git`git config user.name berrys-e2e`;
  await git`git config user.email e2e@berrys.invalid`;
  // The clone runs the real commands (render, bootstrap, status): it borrows this checkout's dependencies and build.
  symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
  // .gitignore's `node_modules/` matches a folder, not this link; release and promote refuse an unclean tree.
  appendFileSync(path.join(work, '.git', 'info', 'exclude'), 'node_modules\n');
  cpSync(path.join(root, 'dist'), path.join(work, 'dist'), { recursive: true });
  if (existsSync(path.join(root, '.cache', 'generated'))) cpSync(path.join(root, '.cache', 'generated'), path.join(work, '.cache', 'generated'), { recursive: true });
  const platform = path.join(work, 'base', 'platform.yaml');
  writeFileSync(platform, readFileSync(platform, 'utf8').replace(/^repoURL: .*$/m, `repoURL: ${repoUrl}`));
  // e.g. chart sources pointed at the local chart mirror, in the same extra commit.
  adjustSources(work);
  await git`node scripts/run.mjs render`;
  await git`git add -A base clusters`;
  await git`git commit -q -m ${`e2e: serve this clone from ${repoUrl}`}`;
  mkdirSync(path.dirname(bare), { recursive: true });
  await $`git clone -q --bare ${work} ${bare}`.quiet();
  await git`git remote remove origin`;
  await git`git remote add origin ${bare}`;
  await git`git fetch -q origin`;
  await git`git branch -q --set-upstream-to=origin/main main`;
  return { work, bare, repoUrl, head: (await git`git rev-parse HEAD`).stdout.trim() };
}

/** Commits what `change(work)` did in the working clone, renders, pushes, and returns the new commit. */
export async function commitAndPush(work, message, change) {
  const git = $({ cwd: work, quiet: true });
  await change(work);
  await git`node scripts/run.mjs render`;
  await git`git add -A apps base overlays clusters`;
  await git`git commit -q -m ${message}`;
  await git`git push -q origin main`;
  return (await git`git rev-parse HEAD`).stdout.trim();
}
