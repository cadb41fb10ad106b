// Disruption of a rehearsed cluster, with the real tools: `kubectl drain` of one node (evictions, which the API
// server refuses while a PodDisruptionBudget allows none, so the drain waits and retries), and the loss of one zone
// (its nodes deleted; the pod garbage collector removes their pods and the ReplicaSets replace them elsewhere).
// Both are judged on the live objects, while the rehearsal's stand-ins keep playing (kwok readies a replacement pod
// only once the rehearsal's kubelet check passed). Used by rehearsal.mjs.
import { waitFor } from './cluster.mjs';

const json = async (kubectl, what) => JSON.parse((await kubectl`get ${what} -o json`).stdout).items;
const ready = (p) => (p.status?.conditions ?? []).some((x) => x.type === 'Ready' && x.status === 'True');

/**
 * PodDisruptionBudgets that are below what they promise: fewer healthy pods than desired while their workload is at
 * full count (a drain must never cause this; it may only wait).
 */
async function violatedBudgets(kubectl) {
  return (await json(kubectl, ['pdb', '-A']))
    .filter((b) => (b.status?.expectedPods ?? 0) > 0 && (b.status?.currentHealthy ?? 0) < (b.status?.desiredHealthy ?? 0))
    .map((b) => `${b.metadata.namespace}/${b.metadata.name} ${b.status.currentHealthy}/${b.status.desiredHealthy} healthy`);
}

/** The node the drain is hardest for: the one holding the most pods covered by a PodDisruptionBudget. */
async function busiestGuardedNode(kubectl) {
  const budgets = await json(kubectl, ['pdb', '-A']);
  const pods = await json(kubectl, ['pods', '-A']);
  const guarded = (p) =>
    budgets.some((b) => b.metadata.namespace === p.metadata.namespace && Object.entries(b.spec.selector?.matchLabels ?? {}).every(([k, v]) => p.metadata.labels?.[k] === v));
  const count = new Map();
  for (const p of pods) if (p.spec.nodeName && guarded(p)) count.set(p.spec.nodeName, (count.get(p.spec.nodeName) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1])[0];
}

export async function drainOneNode({ kubectl, processes, entries, note, log }) {
  const [node, guardedPods] = await busiestGuardedNode(kubectl);
  const budgets = (await json(kubectl, ['pdb', '-A'])).length;
  log(`  draining ${node} (${guardedPods} pods under a PodDisruptionBudget; ${budgets} budgets in the cluster)`);
  // The drain runs while the stand-ins play and the budgets are sampled; it must end by itself (exit 0).
  const drain = kubectl`drain ${node} --ignore-daemonsets --delete-emptydir-data --timeout=600s`.nothrow();
  let finished;
  drain.then((r) => (finished = r));
  let samples = 0;
  const violations = new Set();
  while (!finished) {
    for (const v of await violatedBudgets(kubectl)) violations.add(v);
    samples++;
    note(`${samples} samples of every budget; ${violations.size} below promise`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  if (finished.exitCode !== 0) throw new Error(`kubectl drain ${node} failed (exit ${finished.exitCode}): ${finished.stderr.trim().slice(-600)}`);
  const evicted = (finished.stdout.match(/evicted/g) ?? []).length;
  if (violations.size) throw new Error(`while draining ${node}, budgets fell below their promise: ${[...violations].join(', ')}`);
  log(`  kubectl drain ${node}: exit 0, ${evicted} pods evicted through the eviction API; ${samples} samples of every budget, none below its promise`);
  await waitFor(
    'every evicted pod replaced and Ready elsewhere',
    async () => {
      const v = await workloadsShort(kubectl);
      note(v.length ? v.slice(0, 5).join('; ') : 'all ready');
      return v.length === 0 || v.slice(0, 5).join('; ');
    },
    { processes, entries, timeoutMs: 300_000, intervalMs: 3000 },
  );
  await kubectl`uncordon ${node}`;
  log(`  every Deployment and StatefulSet back at full ready count; ${node} uncordoned`);
}

/** Deployments and StatefulSets with fewer ready replicas than they want. */
async function workloadsShort(kubectl) {
  const items = [...(await json(kubectl, ['deployments', '-A'])), ...(await json(kubectl, ['statefulsets', '-A']))];
  return items
    .filter((d) => (d.status?.readyReplicas ?? 0) < (d.spec.replicas ?? 1))
    .map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name} ${d.status?.readyReplicas ?? 0}/${d.spec.replicas ?? 1}`);
}

/**
 * Deletes every node of one zone. Right after, every Deployment and StatefulSet that had a ready replica must still
 * have one in the other zones (that is what the rendered spread promises); then the run waits for replacements and
 * reports what stayed Pending for want of room.
 */
export async function loseOneZone({ kubectl, processes, entries, note, log, zoneLabel = 'topology.kubernetes.io/zone' }) {
  const nodes = await json(kubectl, ['nodes']);
  const zones = [...new Set(nodes.map((n) => n.metadata.labels?.[zoneLabel]).filter(Boolean))].sort();
  const zone = zones[0];
  const lost = nodes.filter((n) => n.metadata.labels?.[zoneLabel] === zone).map((n) => n.metadata.name);
  const pods = await json(kubectl, ['pods', '-A']);
  const workloads = [...(await json(kubectl, ['deployments', '-A'])), ...(await json(kubectl, ['statefulsets', '-A']))].filter((w) => (w.spec.replicas ?? 1) > 0);
  const owned = (w, p) => p.metadata.namespace === w.metadata.namespace && Object.entries(w.spec.selector?.matchLabels ?? {}).every(([k, v]) => p.metadata.labels?.[k] === v);
  const survivors = (w) => pods.filter((p) => owned(w, p) && ready(p) && p.spec.nodeName && !lost.includes(p.spec.nodeName)).length;
  await kubectl`delete nodes ${lost} --wait=false`;
  log(`  zone ${zone} lost: ${lost.length} nodes deleted (${lost.join(', ')}); ${zones.filter((z) => z !== zone).join(' and ')} remain`);
  const single = workloads.filter((w) => (w.spec.replicas ?? 1) === 1);
  const bare = workloads.filter((w) => (w.spec.replicas ?? 1) > 1 && survivors(w) === 0).map((w) => `${w.kind} ${w.metadata.namespace}/${w.metadata.name}`);
  if (bare.length) throw new Error(`after losing zone ${zone}, these have no ready replica left in the other zones: ${bare.join(', ')}`);
  log(
    `  every one of ${workloads.length - single.length} multi-replica Deployments and StatefulSets kept a ready replica outside ${zone}` +
      (single.length
        ? `; single-replica by design (not judged): ${single.map((w) => `${w.metadata.namespace}/${w.metadata.name}${survivors(w) ? '' : ' (lost its pod)'}`).join(', ')}`
        : ''),
  );
  let short = [];
  try {
    await waitFor(
      `the lost pods replaced in ${zones.filter((z) => z !== zone).join(' and ')}`,
      async () => {
        // Until the pod garbage collector has removed the pods of the deleted nodes, they still count as ready:
        // judging the replacement before that would prove nothing.
        const stranded = (await json(kubectl, ['pods', '-A'])).filter((p) => lost.includes(p.spec.nodeName)).length;
        short = await workloadsShort(kubectl);
        note(stranded ? `${stranded} pods still bound to the lost nodes` : short.length ? `${short.length} short: ${short.slice(0, 4).join('; ')}` : 'all ready');
        return (stranded === 0 && short.length === 0) || (stranded ? `${stranded} pods on lost nodes` : `${short.length} short`);
      },
      { processes, entries, timeoutMs: 240_000, intervalMs: 5000 },
    );
    log(`  every Deployment and StatefulSet back at full ready count in two zones`);
  } catch {
    const pending = (await json(kubectl, ['pods', '-A'])).filter((p) => !p.spec.nodeName && !p.metadata.deletionTimestamp).length;
    log(`  after 4 min in two zones, ${short.length} workloads short (${pending} pods Pending): ${short.join('; ')}`);
  }
}
