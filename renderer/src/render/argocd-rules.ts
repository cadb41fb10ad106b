/**
 * How Argo CD decides whether an AppProject admits an Application: the source repository must be listed and the
 * destination (server and namespace) must match one of the project's destinations, with Argo CD's own glob and deny
 * rules. Used by the application-projects policy rule (at render and in validate), by validate's chart check (the
 * kinds and namespaces of an add-on's objects) and by the tests that prove one environment's Applications cannot land
 * in another's project.
 */
import picomatch from 'picomatch';

export interface AppProjectSpec {
  sourceRepos: string[];
  destinations: { server?: string; name?: string; namespace: string }[];
  clusterResourceWhitelist?: { group: string; kind: string }[];
  namespaceResourceWhitelist?: { group: string; kind: string }[];
}

export interface ApplicationSpec {
  project: string;
  source: { repoURL: string; path?: string; chart?: string; targetRevision: string };
  destination: { server?: string; name?: string; namespace: string };
}

/**
 * Argo CD's glob (util/glob, which compiles github.com/gobwas/glob): `*` any run of characters (none of the
 * separators, when given), `?` one character, `[a-z]` and `[!a-z]` classes, `{a,b}` alternatives, `**` any run
 * including separators, `\` escapes. Here through picomatch, configured to match: every character is ordinary
 * (`dot`), a leading `!` and extglobs mean nothing (Argo CD handles `!` itself, below), a trailing `/` is not
 * forgiven (`strictSlashes`), gobwas' negated class `[!…]` is picomatch's `[^…]`, and, as picomatch always separates
 * at `/`, a match without separators maps `/` to a character no pattern or value holds.
 */
const matchers = new Map<string, (value: string) => boolean>();
const noSeparator = '\u0000';
const picomatchOptions = { dot: true, nonegate: true, noextglob: true, strictSlashes: true, windows: false };

function gobwasMatch(pattern: string, value: string, separator: '/' | undefined): boolean {
  // picomatch refuses an empty pattern; gobwas' empty pattern matches only the empty text.
  if (pattern === '') return value === '';
  const key = `${separator ?? ''}\u0000${pattern}`;
  let matcher = matchers.get(key);
  if (!matcher) {
    const translated = pattern.replace(/(^|[^\\])\[!/g, '$1[^');
    const compiled = picomatch(separator ? translated : translated.replaceAll('/', noSeparator), picomatchOptions);
    matcher = separator ? compiled : (v: string) => compiled(v.replaceAll('/', noSeparator));
    matchers.set(key, matcher);
  }
  return matcher(value);
}

/**
 * Argo CD's project pattern match (app_project_types.go globMatch): `*` admits everything; with negation allowed, a
 * pattern `!p` matches what `p` does not.
 */
export function projectGlobMatch(pattern: string, value: string, opts: { allowNegation?: boolean; separator?: '/' } = {}): boolean {
  if (opts.allowNegation && pattern.startsWith('!')) return !gobwasMatch(pattern.slice(1), value, opts.separator);
  if (pattern === '*') return true;
  return gobwasMatch(pattern, value, opts.separator);
}

/**
 * Argo CD's IsSourcePermitted: some allow pattern (no `!`) matches the repository URL and no deny pattern (`!p`)
 * rejects it; `/` separates. (Argo CD also normalises git URLs, lower case and no `.git`; the renderer writes one
 * spelling of its own repository, so both sides are already normal here.)
 */
export function sourcePermitted(sourceRepos: readonly string[], repoURL: string): boolean {
  let allowed = false;
  for (const pattern of sourceRepos) {
    if (projectGlobMatch(pattern, repoURL, { allowNegation: true, separator: '/' })) allowed = true;
    else if (pattern.startsWith('!')) return false;
  }
  return allowed;
}

/** Argo CD's isDestinationMatched: an allow rule matches server (or name) and namespace, and no deny rule rejects. */
export function destinationPermitted(
  destinations: readonly { server?: string; name?: string; namespace: string }[],
  dst: { server?: string; name?: string; namespace: string },
): boolean {
  let allowed = false;
  for (const item of destinations) {
    const nameMatched = !!dst.name && projectGlobMatch(item.name ?? '', dst.name, { allowNegation: true });
    const serverMatched = !!dst.server && projectGlobMatch(item.server ?? '', dst.server, { allowNegation: true });
    const namespaceMatched = projectGlobMatch(item.namespace, dst.namespace, { allowNegation: true });
    const denies = (p: string | undefined) => p?.startsWith('!') ?? false;
    if ((serverMatched || nameMatched) && namespaceMatched) allowed = true;
    // Go's precedence, kept: a && b || c && d.
    else if ((!nameMatched && denies(item.name)) || (!serverMatched && denies(item.server) && namespaceMatched)) return false;
    else if (!namespaceMatched && denies(item.namespace) && serverMatched) return false;
  }
  return allowed;
}

/** Argo CD's isResourceInList (Go's filepath.Match on kind and group, where `/` separates): a kind the list names. */
export function groupKindIn(list: readonly { group: string; kind: string }[] | undefined, group: string, kind: string): boolean {
  return (list ?? []).some((e) => gobwasMatch(e.kind, kind, '/') && gobwasMatch(e.group, group, '/'));
}

/** true when the project admits the Application, else the reason it does not. */
export function projectPermits(project: AppProjectSpec, app: ApplicationSpec): true | string {
  if (!sourcePermitted(project.sourceRepos, app.source.repoURL)) return `source ${app.source.repoURL} is not among the project's sourceRepos`;
  const ok = destinationPermitted(project.destinations, app.destination);
  return ok ? true : `destination namespace '${app.destination.namespace}' is not among the project's destinations`;
}
