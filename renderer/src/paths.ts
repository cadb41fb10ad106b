/**
 * Every folder and file name the repository uses, named once.
 * Nothing else in the code builds these paths from strings.
 */
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The checkout this code lives in: the nearest folder above it with a package.json (from dist/ or renderer/src/). */
export const defaultRepoRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return dir;
  }
}

/** Relative (POSIX) paths inside a repository. They are joined to a root only at the IO edges. */
export const repoPaths = {
  appsDir: 'apps',
  app: (app: string) => `apps/${app}.yaml`,
  baseDir: 'base',
  defaults: 'base/defaults.yaml',
  addons: 'base/addons.yaml',
  platform: 'base/platform.yaml',
  /** The sha256 of every pinned add-on chart archive, checked before a chart is rendered (npm run validate). */
  chartsLock: 'base/charts.lock.json',
  templatesDir: 'base/templates',
  template: (name: string) => `base/templates/${name}`,
  overlaysDir: 'overlays',
  overlayDir: (env: string) => `overlays/${env}`,
  environment: (env: string) => `overlays/${env}/environment.yaml`,
  versions: (env: string) => `overlays/${env}/versions.yaml`,
  appOverridesDir: (env: string) => `overlays/${env}/apps`,
  appOverride: (env: string, app: string) => `overlays/${env}/apps/${app}.yaml`,
  clustersDir: 'clusters',
  clusterIndex: 'clusters/index.json',
  clusterDir: (cluster: string) => `clusters/${cluster}`,
  /** Folder synced by the cluster's root Application: the AppProjects and every other Application. */
  argocdFolder: (cluster: string) => `clusters/${cluster}/argocd`,
  /** Folder of cluster-wide pieces: namespaces, guard-rail network policies, secret stores, issuers. */
  platformFolder: (cluster: string) => `clusters/${cluster}/platform`,
  appFolder: (cluster: string, app: string) => `clusters/${cluster}/apps/${app}`,
  schemaDir: 'renderer/schema',
  schema: (name: string) => `renderer/schema/${name}.schema.json`,
  pins: 'renderer/pins.json',
  cacheDir: '.cache',
  /** Pulled add-on chart archives, one folder per chart repository. */
  chartsCache: '.cache/charts',
} as const;
