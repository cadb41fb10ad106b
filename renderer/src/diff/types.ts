/**
 * The data the diff passes between its stages: rendered files in, resources, changes, one report out.
 * Identity of a resource is its cluster plus apiVersion group, kind, namespace and name (never its file path),
 * so a file that moves without changing shows no change.
 */

/** One side of the comparison: the rendered files under clusters/ (path → text) and clusters/index.json's text. */
export interface RenderedTree {
  /** Repository-relative POSIX paths under clusters/, YAML files only. */
  files: Map<string, string>;
  /** The text of clusters/index.json, when the revision has one. */
  index?: string;
}

/** What a reviewer looks at first: how far a change reaches. Several may apply to one change. */
export type Category = 'exposure' | 'rolls-pods' | 'image' | 'scaling' | 'config' | 'metadata';

/** Display order and words, most consequential first. */
export const categoryOrder: readonly Category[] = ['exposure', 'rolls-pods', 'image', 'scaling', 'config', 'metadata'];
export const categoryLabel: Record<Category, string> = {
  exposure: 'exposure/access',
  'rolls-pods': 'rolls pods',
  image: 'image',
  scaling: 'scaling',
  config: 'config only',
  metadata: 'metadata only',
};

type Action = 'added' | 'removed' | 'changed';

/** A container whose image differs; null on the side where the container does not exist. */
export interface ImageChange {
  container: string;
  from: string | null;
  to: string | null;
}

/** A replica count or an autoscaler bound that differs; null when unset on that side. */
export interface ScalingChange {
  field: string;
  from: number | null;
  to: number | null;
}

/** One resource that differs between base and head. */
export interface Change {
  action: Action;
  cluster: string;
  environment: string;
  /** `apps/<app>` folder → the app's name; `platform` and `argocd` folders → those words. */
  app: string;
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  /** The head's file (the base's for a removed resource). */
  path: string;
  categories: Category[];
  images: ImageChange[];
  scaling: ScalingChange[];
  /** Unified diff of the canonical (sorted-key) YAML, secrets redacted; hunks only, no file headers. */
  patch: string;
}

/** Where a revision came from, for the report's header. */
export interface Side {
  /** What the user asked for or the default, e.g. `main`, `HEAD~1`, `working tree`. */
  ref: string;
  /** The commit id, or null for the working tree. */
  commit: string | null;
  /** How the revision was chosen when it was not given, e.g. `merge base of HEAD and main`. */
  note?: string;
}

export interface DiffReport {
  changes: Change[];
  /** Resources present and equal on both sides (including files skipped because their bytes were identical). */
  unchanged: number;
  /** Environments with at least one change, in promotion order. */
  environments: string[];
}
