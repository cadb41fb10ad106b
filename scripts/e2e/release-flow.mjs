// Release and promote with the gate, against the real Argo CD. `local` is outside the promotion chain in the
// repository, so the served clone alone (never this checkout) puts it first: local → development → staging →
// production. A rehearsal of the chain's last environment does the same with it (production → development →
// staging), a hypothetical step that lets the gate judge the rehearsed cluster as the previous environment. A release then enters local, Argo CD rolls it out, and the promotion to development is judged by the
// real gate, which asks the real Argo CD how local runs that version, through the per-cluster variables a
// workflow sets (ARGOCD_SERVER_LOCAL / ARGOCD_AUTH_TOKEN_LOCAL).
import { $ } from 'zx';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from './cluster.mjs';
import { commitAndPush } from './checks.mjs';

/**
 * The environment the served clone makes promote from `env`: the chain's first environment other than `env`
 * (read from the clone's clusters/index.json, which holds the chain), so the flow names no environment itself.
 */
export function firstOtherStep(work, env) {
  const { promotionChain } = JSON.parse(readFileSync(path.join(work, 'clusters', 'index.json'), 'utf8'));
  const next = promotionChain.find((e) => e !== env);
  if (!next) throw new Error(`the promotion chain (${promotionChain.join(' → ')}) has no environment besides ${env} to promote into`);
  return next;
}

/** `1.12.0` → `1.12.1`: the next patch release of a plain version (local's versions are plain). */
const nextPatch = (v) => v.replace(/(\d+)$/, (n) => String(Number(n) + 1));

/**
 * `wholeEnvironment`: false when the run holds only one of the environment's clusters (a rehearsal of production
 * without production-dr): `npm run status` judges every cluster of an environment, so its wait is left out and its
 * listing is read without requiring exit 0.
 */
export async function releaseAndPromote({ app, cluster, env, work, kubectl, ns, appNamespace, argocd, processes, kubeconfig, log, note, waitConverged, wholeEnvironment = true }) {
  const next = firstOtherStep(work, env);
  const appName = `${cluster}-${app}`;
  const git = $({ cwd: work, quiet: true });
  // The gate must find Argo CD through the per-cluster convention alone, so the generic variables are left out.
  const { ARGOCD_SERVER: _s, ARGOCD_AUTH_TOKEN: _t, ...rest } = process.env;
  const suffix = cluster.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const commandEnv = { ...rest, KUBECONFIG: kubeconfig, [`ARGOCD_SERVER_${suffix}`]: argocd.server, [`ARGOCD_AUTH_TOKEN_${suffix}`]: argocd.token, GATE_REQUIRE_ARGOCD: next };
  const inWork = $({ cwd: work, env: commandEnv, quiet: true, nothrow: true });
  const must = async (what, p) => {
    const r = await p;
    if (r.exitCode !== 0) throw new Error(`${what} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim()}`);
    return r;
  };
  const versionIn = (e) => readFileSync(path.join(work, 'overlays', e, 'versions.yaml'), 'utf8').match(new RegExp(`^${app}:\\s*(\\S+)`, 'm'))?.[1];

  const chainSha = await commitAndPush(work, `e2e: put ${env} first in the promotion chain (${env} → ${next})`, (w) => {
    const localFile = path.join(w, 'overlays', env, 'environment.yaml');
    writeFileSync(
      localFile,
      readFileSync(localFile, 'utf8')
        .replace(/^# Outside the promotion chain.*\n/m, '')
        .replace(/^promotion: none\n/m, '')
        .replace(/^promotesFrom: .*\n/m, ''), // a rehearsed last environment, put first for a hypothetical step
    );
    const nextFile = path.join(w, 'overlays', next, 'environment.yaml');
    writeFileSync(nextFile, readFileSync(nextFile, 'utf8').replace(/^(name: .*\n)/m, `$1promotesFrom: ${env}\n`));
  });
  log(`  served clone only: ${env} first in the chain, ${next} promotes from it (${chainSha.slice(0, 12)})`);

  /** `npm run release` into local, merged on main and pushed, as the release workflow's pull request would be. */
  const release = async (version) => {
    await must(`npm run release -- --app ${app} --version ${version}`, inWork`npm run --silent release -- --app ${app} --version ${version}`);
    const branch = (await git`git branch --show-current`).stdout.trim();
    await git`git switch -q main`;
    await git`git merge -q --no-ff ${branch} -m ${`Merge ${branch}`}`;
    await git`git push -q origin main`;
    return { branch, sha: (await git`git rev-parse HEAD`).stdout.trim() };
  };
  /** Waits until Argo CD runs `sha` for the app and its Deployment has rolled to the image tag `version`. */
  const rolledTo = async (version, sha) => {
    await waitFor(
      `Argo CD to roll ${app} to ${version}`,
      async () => {
        const a = JSON.parse((await kubectl`get application ${appName} -n ${ns} -o json`).stdout);
        const d = JSON.parse((await kubectl`get deployment ${app} -n ${appNamespace} -o json`).stdout);
        const image = d.spec.template.spec.containers[0].image;
        const state = `${a.status?.sync?.status}/${a.status?.health?.status} at ${(a.status?.sync?.revision ?? '-').slice(0, 12)}, image ${image}, ${d.status?.updatedReplicas ?? 0}/${d.spec.replicas} updated`;
        note(state);
        const done =
          a.status?.sync?.revision === sha &&
          a.status?.sync?.status === 'Synced' &&
          a.status?.health?.status === 'Healthy' &&
          image.endsWith(`:${version}`) &&
          d.status?.updatedReplicas === d.spec.replicas &&
          d.status?.availableReplicas === d.spec.replicas;
        return done || state;
      },
      { processes, entries: argocd.entries, timeoutMs: 180_000, intervalMs: 2000 },
    );
  };

  const before = versionIn(env);
  const version = nextPatch(before);
  const released = await release(version);
  log(`  npm run release -- --app ${app} --version ${version}: ${released.branch}, merged on main as ${released.sha.slice(0, 12)}`);
  await rolledTo(version, released.sha);
  log(`  Argo CD rolled deployment/${app} from ${before} to ${version}`);
  if (wholeEnvironment) {
    await must(
      `npm run status -- --env ${env} --wait --revision ${released.sha}`,
      inWork`npm run --silent status -- --env ${env} --wait --skip-charts --revision ${released.sha} --timeout 180 --interval 2`,
    );
    log(`  npm run status -- --env ${env} --wait --revision ${released.sha.slice(0, 12)}: exit 0`);
  } else log(`  npm run status -- --env ${env} --wait not run: it waits for every cluster of ${env}, and this run holds only ${cluster}`);

  await must(`npm run promote -- --from ${env} --to ${next} --app ${app}`, inWork`npm run --silent promote -- --from ${env} --to ${next} --app ${app}`);
  const promoteBranch = (await git`git branch --show-current`).stdout.trim();
  log(`  npm run promote -- --from ${env} --to ${next} --app ${app}: ${promoteBranch} (${versionIn(next)})`);
  const gate = async (base) => inWork`npm run --silent gate -- --base ${base}`;
  const passed = await gate(released.sha);
  for (const l of passed.stdout.trim().split('\n')) log(`    ${l}`);
  if (passed.exitCode !== 0)
    throw new Error(`npm run gate refused the promotion of ${app} ${version} while ${appName} runs it Synced and Healthy (exit ${passed.exitCode}): ${passed.stderr.trim()}`);
  if (!passed.stdout.includes(appName)) throw new Error(`npm run gate passed without naming ${appName}: it did not consult Argo CD`);
  log(`  npm run gate -- --base ${released.sha.slice(0, 12)} with ARGOCD_SERVER_${suffix}: exit 0`);

  // The running version, as Argo CD reports it (status.summary.images, from the Pods in the resource tree).
  const status = wholeEnvironment
    ? await must(`npm run status -- --env ${env}`, inWork`npm run --silent status -- --env ${env}`)
    : await inWork`npm run --silent status -- --env ${env}`;
  const statusLine = status.stdout.split('\n').find((l) => l.includes(appName)) ?? '';
  if (!new RegExp(`\\b${version.replace(/\./g, '\\.')}\\b`).test(statusLine))
    throw new Error(`npm run status does not show ${appName} running ${version}: ${statusLine.trim() || status.stdout.trim()}`);
  log(`  npm run status: ${statusLine.trim().replace(/\s+/g, ' ')}`);
  const liveVersions = await inWork`npm run --silent versions -- --live --cluster ${cluster}`;
  const liveLine = liveVersions.stdout.split('\n').find((l) => l.trim().startsWith(`${appName} `)) ?? '';
  if (/not found|no images/.test(liveLine) || !liveLine.includes(version))
    throw new Error(`npm run versions -- --live does not show ${app} running ${version}: ${liveLine.trim() || liveVersions.stdout.trim()}`);
  log(`  npm run versions -- --live: ${liveLine.trim().replace(/\s+/g, ' ')}`);

  // Same revision, another image: a pod of the app is changed live to a tag git never had (as a stuck rollout or a
  // mutated pod would leave it). Argo CD stays Synced at the released commit; only the running image tells.
  const selector = `app.kubernetes.io/name=${app}`;
  const pods = JSON.parse((await kubectl`get pods -n ${appNamespace} -l ${selector} -o json`).stdout).items;
  const container = pods[0].spec.containers[0];
  const strayImage = container.image.replace(/:[^:@/]+$/, ':0.0.0-stray');
  await kubectl`set image pod/${pods[0].metadata.name} -n ${appNamespace} ${`${container.name}=${strayImage}`}`;
  // Every tag the app's pods run, joined (argocd/application.ts imageTag): the stray one alone when it is the only pod.
  const strayWhy = new RegExp(`runs image tag (0\\.0\\.0-stray|0\\.0\\.0-stray and ${version.replace(/\./g, '\\.')}), not ${version.replace(/\./g, '\\.')}`);
  let strayGate;
  await waitFor(
    `the gate to see pod ${pods[0].metadata.name} running ${strayImage} through Argo CD`,
    async () => {
      strayGate = await gate(released.sha);
      note(`gate exit ${strayGate.exitCode}`);
      return (
        (strayGate.exitCode !== 0 && strayWhy.test(strayGate.stdout)) ||
        `gate exit ${strayGate.exitCode}: ${
          strayGate.stdout
            .split('\n')
            .find((l) => l.includes(appName))
            ?.trim() ?? strayGate.stderr.trim()
        }`
      );
    },
    { processes, entries: argocd.entries, timeoutMs: 120_000, intervalMs: 5000 },
  );
  for (const l of strayGate.stdout.trim().split('\n')) log(`    ${l}`);
  const stillSynced = JSON.parse((await kubectl`get application ${appName} -n ${ns} -o json`).stdout).status?.sync;
  log(
    `  pod ${pods[0].metadata.name} set to ${strayImage} live, ${appName} ${stillSynced?.status} at ${(stillSynced?.revision ?? '').slice(0, 12)}: the gate refused (exit ${strayGate.exitCode}): "${strayGate.stdout.match(strayWhy)[0]}"`,
  );
  await kubectl`delete pod ${pods[0].metadata.name} -n ${appNamespace} --wait=true`;
  await rolledTo(version, released.sha);

  // The previous environment stops running that version: main moves on to the next release and Argo CD follows,
  // while the pull request's base still says local runs `version`. Git alone would pass it; Argo CD must not.
  await git`git switch -q main`;
  const newer = nextPatch(version);
  const moved = await release(newer);
  await rolledTo(newer, moved.sha);
  log(`  ${env} moved on: ${app} ${newer} at ${moved.sha.slice(0, 12)}, rolled out`);
  await git`git switch -q ${promoteBranch}`;
  const refused = await gate(released.sha);
  for (const l of refused.stdout.trim().split('\n')) log(`    ${l}`);
  await git`git switch -q main`;
  if (refused.exitCode === 0) throw new Error(`npm run gate passed the promotion of ${app} ${version} although ${appName} runs ${newer}`);
  // Refused for the right reason: what Argo CD runs, not a crash or the version rule.
  const why = `${appName} is at ${moved.sha.slice(0, 7)} where versions.yaml has ${newer}, not ${version}`;
  if (!refused.stdout.includes(why)) throw new Error(`npm run gate refused (exit ${refused.exitCode}) without saying "${why}": ${refused.stderr.trim()}`);
  log(`  npm run gate on the same promotion while ${env} runs ${newer}: exit ${refused.exitCode} (refused)`);
  await waitConverged('every Application Synced and Healthy after the release flow', note);
}
