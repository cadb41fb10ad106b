/**
 * overlays/<env>/versions.yaml, the one promotable place: read it, and change it with the yaml library's Document
 * API so that the schema line, comments and key order survive an edit.
 */
import { isMap, isPair, isScalar, parseDocument, Pair, Scalar, type YAMLMap } from 'yaml';
import { RenderError, type Problem } from '../errors.js';
import { parseSource } from '../source.js';

/** app → image tag. */
export type Versions = Map<string, string>;

/** Reads a versions file; a non-map, or a version that is not a string, is a RenderError pointing at the line. */
export function parseVersions(file: string, text: string): Versions {
  const { source, problems } = parseSource(file, text);
  if (!source) throw new RenderError(problems);
  const value = source.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new RenderError([{ file, line: 1, message: 'versions must be a map of app name to image tag', hint: 'e.g. "api-gateway: 1.9.0"' }]);
  }
  const versions: Versions = new Map();
  const bad: Problem[] = [];
  for (const [app, version] of Object.entries(value as Record<string, unknown>)) {
    if (typeof version === 'string' && version !== '') versions.set(app, version);
    else {
      const at = source.locate([app]);
      bad.push({
        file,
        ...at,
        message: `the version of ${app} must be an image tag string (got ${JSON.stringify(version)})`,
        hint: `quote it, e.g. ${app}: "${String(version ?? '')}"`,
      });
    }
  }
  if (bad.length > 0) throw new RenderError(bad);
  return versions;
}

/**
 * Returns the file's text with the given apps set to the given versions. Existing lines keep their place and
 * comments; a new app goes where it sorts (the files are kept in name order). Values that YAML would read as
 * something else (1.10 as a number) are quoted by the serializer.
 */
export function setVersions(text: string, changes: ReadonlyMap<string, string>): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`cannot edit a versions file that does not parse: ${doc.errors[0]!.message}`);
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  const map = doc.contents as YAMLMap;
  if (!isMap(map)) throw new Error('cannot edit a versions file that is not a map');
  for (const [app, version] of changes) {
    const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === app);
    if (pair && isScalar(pair.value)) {
      // Keep the node (and its comments); only a style that cannot hold the new value falls back to the default.
      pair.value.value = version;
      continue;
    }
    if (pair) {
      pair.value = new Scalar(version);
      continue;
    }
    const index = map.items.findIndex((p) => isPair(p) && isScalar(p.key) && String(p.key.value) > app);
    const added = new Pair(new Scalar(app), new Scalar(version));
    if (index === -1) map.items.push(added);
    else map.items.splice(index, 0, added);
  }
  return doc.toString({ lineWidth: 0 });
}

// Semantic version with an optional leading v and an optional pre-release; no build metadata, because "+" is not
// allowed in an image tag. https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string
const releaseTag = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?$/;

/** Whether a tag looks like a release: 1.4.0, v1.4.0, 1.4.0-rc.1. */
export function isReleaseTag(tag: string): boolean {
  return tag.length <= 128 && releaseTag.test(tag);
}
