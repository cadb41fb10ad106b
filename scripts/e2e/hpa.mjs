// An HPA scaling on metrics, against the real HPA controller, the real metrics-server (reading kwok's emulated usage)
// and the real Argo CD: shared by the laptop flow (flows.mjs) and the rehearsal (rehearsal.mjs). Raising the pods'
// emulated CPU above the target must scale the Deployment up, lowering it must scale it back down, and the
// Application must stay Synced throughout (its ignoreDifferences leaves the count to the HPA). Verdicts:
// renderer/src/e2e/applications.ts (hpaReading, replicasOwnedByHpa).
import { waitFor } from './cluster.mjs';

/**
 * Drives one HPA. `target`: { appName (the Application), namespace, hpa (name), deployment (the rendered or live
 * Deployment) }. Returns { scaledTo, lower(), waitDown() }.
 */
export async function scaleUpOnCpu({ c, kubectl, load, argocdNamespace, target, processes, entries, note, log }) {
  const { hpaReading, replicasOwnedByHpa } = await load('e2e/applications.js');
  const { appName, namespace, hpa, deployment } = target;
  const name = deployment.metadata.name;
  const liveHpa = async () => JSON.parse((await kubectl`get hpa ${hpa} -n ${namespace} -o json --ignore-not-found`).stdout || 'null');
  const live = async () => ({
    app: JSON.parse((await kubectl`get application ${appName} -n ${argocdNamespace} -o json`).stdout),
    deployment: JSON.parse((await kubectl`get deployment ${name} -n ${namespace} -o json`).stdout),
  });
  const mustStaySynced = async (what) => {
    const sample = await live();
    const verdict = replicasOwnedByHpa(sample, sample.deployment.spec.replicas ?? 1);
    if (verdict !== true) throw new Error(`${what}: ${verdict}`);
    return sample;
  };

  let reading;
  await waitFor(
    `HPA ${hpa} to read CPU from the metrics API`,
    async () => {
      const h = await liveHpa();
      reading = h ? hpaReading(h) : { active: false, text: 'HPA not live yet' };
      note(reading.text);
      return reading.active || reading.text;
    },
    { processes, entries, timeoutMs: 180_000, intervalMs: 3000 },
  );
  log(`  HPA ${namespace}/${hpa} reads metrics: ${reading.text}`);
  const selector = Object.entries(deployment.spec.selector.matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const top = await kubectl`top pods -n ${namespace} -l ${selector} --no-headers`;
  log(`  kubectl top pods (the metrics API, from kwok's emulated usage): ${top.stdout.trim().replace(/\s+/g, ' ')}`);

  // Emulated CPU well above the 70 % target: 1.5 × the container's request on every pod of the Deployment.
  const requestCpu = deployment.spec.template.spec.containers[0].resources?.requests?.cpu ?? '100m';
  const millis = /m$/.test(requestCpu) ? Number(requestCpu.slice(0, -1)) : Number(requestCpu) * 1000;
  const busy = `${Math.round(millis * 1.5)}m`;
  const from = (await live()).deployment.spec.replicas ?? 1;
  let scaledTo = from;
  await waitFor(
    `HPA ${hpa} to scale ${name} up on ${busy} CPU per pod (request ${requestCpu})`,
    async () => {
      await kubectl`annotate pods -n ${namespace} -l ${selector} ${`${c.usageCpuAnnotation}=${busy}`} --overwrite`;
      const h = await liveHpa();
      const { app: a, deployment: d } = await live();
      if (a.status?.sync?.status !== 'Synced') throw new Error(`${appName} went ${a.status?.sync?.status} while its HPA scaled: Argo CD does not leave the count to the HPA`);
      scaledTo = d.spec.replicas ?? 1;
      note(`${hpaReading(h).text}; Deployment at ${scaledTo}`);
      return scaledTo > from || hpaReading(h).text;
    },
    { processes, entries, timeoutMs: 240_000, intervalMs: 5000 },
  );
  log(`  emulated CPU ${busy} per pod (${c.usageCpuAnnotation}): the HPA scaled ${name} ${from} → ${scaledTo}; ${hpaReading(await liveHpa()).text}`);
  // Argo CD reconciles every 10 s here (timeout.reconciliation), so 30 s spans at least two comparisons and a
  // self-heal would have fired; any sample that is not Synced at the HPA's count fails the run.
  const started = Date.now();
  let samples = 0;
  while (Date.now() - started < 30_000) {
    const sample = await mustStaySynced(`while ${name}'s CPU stayed at ${busy}`);
    if ((sample.deployment.spec.replicas ?? 1) <= from)
      throw new Error(`Deployment ${name} went back to ${sample.deployment.spec.replicas} replicas while its CPU stayed at ${busy}`);
    samples++;
    note(`Synced at ${sample.deployment.spec.replicas} replicas for ${Math.round((Date.now() - started) / 1000)} s`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  const { app: after, deployment: dAfter } = await live();
  log(`  ${samples} samples over 30 s: ${appName} stayed Synced (last compared ${after.status?.reconciledAt ?? '?'}) at the HPA's ${dAfter.spec.replicas} replicas`);

  let lowered;
  return {
    scaledTo,
    /** Lowers the emulated CPU to kwok's default (1m). */
    async lower() {
      await kubectl`annotate pods -n ${namespace} -l ${selector} ${`${c.usageCpuAnnotation}-`}`;
      lowered = Date.now();
    },
    /** Waits for the count to fall back to where it was (the HPA's scale-down stabilisation window), Synced throughout. */
    async waitDown({ note: noteDown = note, timeoutMs = 600_000 } = {}) {
      let now = scaledTo;
      await waitFor(
        `HPA ${hpa} to scale ${name} back down to ${from}`,
        async () => {
          const sample = await mustStaySynced(`while ${name} scaled down`);
          now = sample.deployment.spec.replicas ?? 1;
          const text = `${hpaReading(await liveHpa()).text}; Deployment at ${now}, ${Math.round((Date.now() - lowered) / 1000)} s after CPU was lowered`;
          noteDown(text);
          return now <= from || text;
        },
        { processes, entries, timeoutMs, intervalMs: 10_000 },
      );
      log(
        `  CPU lowered: the HPA scaled ${name} ${scaledTo} → ${now} ${Math.round((Date.now() - lowered) / 1000)} s later (its scale-down stabilisation window), ${appName} Synced throughout`,
      );
    },
  };
}
