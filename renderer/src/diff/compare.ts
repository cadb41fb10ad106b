/**
 * The pure core of the diff: two rendered trees in, one report of added, removed and changed resources out.
 * Files whose bytes are equal on both sides are never parsed (the common case, and most of the cost).
 */
import { structuredPatch } from 'diff';
import { RenderError, type Problem } from '../errors.js';
import { environmentOrder, parseClusterIndex, type ClusterIndex } from '../cluster-index.js';
import { canonicalJson, canonicalYaml, isObject, loadDocuments, redactSecret, sortKeys, yamlErrorPosition, type Json, type JsonObject } from './canonical.js';
import { classify } from './classify.js';
import type { Change, DiffReport, RenderedTree } from './types.js';

/** Where a rendered file belongs: its cluster, the cluster's environment and the app (folder) it is part of. */
export interface Place {
  cluster: string;
  environment: string;
  app: string;
}

interface Resource extends Place {
  key: string;
  path: string;
  obj: JsonObject;
  json: string;
}

/**
 * Places files by clusters/index.json (cluster-index.ts). The diff must still work on a revision whose index is
 * missing or written by an older renderer: then the folder layout places the files and no chain orders them.
 */
export class Locator {
  private readonly environments = new Map<string, string>();
  private readonly folders = new Map<string, string>();
  /** The revision's promotion chain; empty when its index could not be read. */
  readonly promotionChain: readonly string[] = [];

  constructor(indexText: string | undefined) {
    let index: ClusterIndex;
    try {
      if (indexText === undefined) return;
      index = parseClusterIndex(indexText);
    } catch (err) {
      if (err instanceof RenderError) return;
      throw err;
    }
    this.promotionChain = index.promotionChain;
    for (const c of index.clusters) {
      this.environments.set(c.name, c.environment);
      for (const f of c.folders) this.folders.set(f.path, f.kind === 'app' && f.app ? f.app : f.kind);
    }
  }

  /** The place of a file `clusters/<cluster>/<folder…>/<file>`; the folder layout is the fallback when the index does not list it. */
  place(file: string): Place {
    const parts = file.split('/');
    const cluster = parts[1] ?? '';
    const folder = parts.slice(0, -1).join('/');
    const fromLayout = parts[2] === 'apps' && parts.length > 4 ? parts[3]! : (parts[2] ?? '');
    return {
      cluster,
      environment: this.environments.get(cluster) ?? cluster,
      app: this.folders.get(folder) ?? fromLayout,
    };
  }
}

function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function parseFile(file: string, text: string, place: Place, side: string, problems: Problem[]): Resource[] {
  const out: Resource[] = [];
  let docs: unknown[];
  try {
    docs = loadDocuments(text, file);
  } catch (err) {
    const { line, col, message } = yamlErrorPosition(err);
    problems.push({ file, line, col, message: `in the ${side}: ${message}` });
    return out;
  }
  for (const value of docs) {
    if (value === null || value === undefined) continue;
    const metadata = isObject(value) ? value.metadata : undefined;
    const kind = isObject(value) ? str(value.kind) : undefined;
    const apiVersion = isObject(value) ? str(value.apiVersion) : undefined;
    const name = isObject(metadata) ? str(metadata.name) : undefined;
    if (!isObject(value) || !kind || !apiVersion || !name) {
      problems.push({ file, message: `in the ${side}: not a Kubernetes object (needs apiVersion, kind and metadata.name)` });
      continue;
    }
    const namespace = (isObject(metadata) && str(metadata.namespace)) || '';
    const obj = sortKeys(value as Json) as JsonObject;
    out.push({
      ...place,
      key: [place.cluster, apiGroup(apiVersion), kind, namespace, name].join('\u0000'),
      path: file,
      obj,
      json: canonicalJson(obj),
    });
  }
  return out;
}

function collect(tree: RenderedTree, files: string[], locator: Locator, side: string, problems: Problem[]): Map<string, Resource> {
  const byKey = new Map<string, Resource>();
  for (const file of files) {
    for (const r of parseFile(file, tree.files.get(file)!, locator.place(file), side, problems)) {
      const seen = byKey.get(r.key);
      if (seen) {
        problems.push({ file, message: `in the ${side}: ${r.obj.kind} '${r.obj.metadata && (r.obj.metadata as JsonObject).name}' is also defined in ${seen.path}` });
      } else byKey.set(r.key, r);
    }
  }
  return byKey;
}

/** Hunks of a unified diff (no file headers), 3 lines of context. */
export function unifiedPatch(before: string, after: string): string {
  const patch = structuredPatch('base', 'head', before, after, undefined, undefined, { context: 3 });
  const lines: string[] = [];
  for (const h of patch.hunks) {
    lines.push(`@@ -${h.oldLines === 0 ? h.oldStart - 1 : h.oldStart},${h.oldLines} +${h.newLines === 0 ? h.newStart - 1 : h.newStart},${h.newLines} @@`);
    for (const line of h.lines) if (!line.startsWith('\\')) lines.push(line);
  }
  return lines.join('\n');
}

function change(base: Resource | undefined, head: Resource | undefined): Change {
  const r = (head ?? base)!;
  const { categories, images, scaling } = classify(base?.obj, head?.obj);
  const before = base ? canonicalYaml(redactSecret(base.obj)!) : '';
  const after = head ? canonicalYaml(redactSecret(head.obj, base?.obj)!) : '';
  const metadata = r.obj.metadata as JsonObject;
  return {
    action: !base ? 'added' : !head ? 'removed' : 'changed',
    cluster: r.cluster,
    environment: r.environment,
    app: r.app,
    apiVersion: r.obj.apiVersion as string,
    kind: r.obj.kind as string,
    namespace: str(metadata.namespace) ?? null,
    name: metadata.name as string,
    path: r.path,
    categories,
    images,
    scaling,
    patch: unifiedPatch(before, after),
  };
}

/** Apps alphabetically, then the cluster-wide folders: platform, then argocd. */
export function appOrder(a: string, b: string): number {
  const rank = (x: string) => (x === 'platform' ? 1 : x === 'argocd' ? 2 : 0);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function changeOrder(environmentOrder: (a: string, b: string) => number, a: Change, b: Change): number {
  const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    environmentOrder(a.environment, b.environment) ||
    appOrder(a.app, b.app) ||
    text(a.cluster, b.cluster) ||
    text(a.kind, b.kind) ||
    text(a.namespace ?? '', b.namespace ?? '') ||
    text(a.name, b.name)
  );
}

export interface CompareOptions {
  /** Only these environments (all when empty or absent). */
  envs?: readonly string[];
}

/**
 * Compares two rendered trees resource by resource. Throws a RenderError listing every file that cannot be read
 * as Kubernetes objects.
 */
export function compareTrees(base: RenderedTree, head: RenderedTree, opts: CompareOptions = {}): DiffReport {
  const baseLocator = new Locator(base.index);
  const headLocator = new Locator(head.index);
  const wanted = (locator: Locator, file: string) => !opts.envs?.length || opts.envs.includes(locator.place(file).environment);
  let unchanged = 0;
  const baseFiles: string[] = [];
  const headFiles: string[] = [];
  for (const [file, text] of head.files) {
    if (!wanted(headLocator, file)) continue;
    if (base.files.get(file) === text) unchanged++;
    else headFiles.push(file);
  }
  for (const [file, text] of base.files) {
    if (!wanted(baseLocator, file)) continue;
    if (head.files.get(file) !== text) baseFiles.push(file);
  }
  const problems: Problem[] = [];
  const before = collect(base, baseFiles.sort(), baseLocator, 'base', problems);
  const after = collect(head, headFiles.sort(), headLocator, 'head', problems);
  if (problems.length > 0) throw new RenderError(problems);

  const changes: Change[] = [];
  for (const [key, h] of after) {
    const b = before.get(key);
    if (b && b.json === h.json) unchanged++;
    else changes.push(change(b, h));
  }
  for (const [key, b] of before) if (!after.has(key)) changes.push(change(b, undefined));
  // Environments in promotion order (the head's chain, else the base's), those outside the chain first.
  const byChain = environmentOrder(headLocator.promotionChain.length > 0 ? headLocator.promotionChain : baseLocator.promotionChain);
  changes.sort((a, b) => changeOrder(byChain, a, b));
  const environments = [...new Set(changes.map((c) => c.environment))].sort(byChain);
  return { changes, unchanged, environments };
}
