/**
 * Which add-on charts an end-to-end run installs, and from where: the served clone's base/addons.yaml points those
 * charts at the local chart mirror when their own repositories are unreachable, in the same extra commit that points
 * the repoURL at the served repository. Pure: text in, text out.
 */

export interface MirroredChart {
  name: string;
  /** The repository base/addons.yaml names (the one a real cluster pulls from). */
  from: string;
}

/**
 * base/addons.yaml with the repoURL of each chart in `charts` replaced by `mirrorUrl`. Throws naming the chart when
 * the file has no `chart: { repoURL: …, name: <chart>, … }` line for it, so a renamed chart fails loudly here.
 */
export function pointChartsAtMirror(addonsYaml: string, charts: readonly string[], mirrorUrl: string): { text: string; mirrored: MirroredChart[] } {
  const mirrored: MirroredChart[] = [];
  let text = addonsYaml;
  for (const name of charts) {
    const line = new RegExp(`(chart:\\s*\\{\\s*repoURL:\\s*)(\\S+?)(,\\s*name:\\s*${name.replace(/[.-]/g, '\\$&')}\\s*,)`);
    const m = line.exec(text);
    if (!m)
      throw new Error(`base/addons.yaml: no add-on with chart ${name} in the form "chart: { repoURL: …, name: ${name}, version: … }"; the e2e cannot point it at the chart mirror`);
    mirrored.push({ name, from: m[2]! });
    text = text.replace(line, `$1${mirrorUrl}$3`);
  }
  return { text, mirrored };
}

/** The line every run prints when it installs charts from the mirror instead of their own repositories. */
export function mirrorNotice(mirrored: readonly MirroredChart[], mirrorUrl: string, folder: string): string {
  return `chart mirror: ${mirrored.map((m) => m.name).join(', ')} from ${mirrorUrl} (${folder}), not from ${[...new Set(mirrored.map((m) => m.from))].join(', ')}: their archives are repackaged from each project's release tag, so their digests differ from base/charts.lock.json`;
}
