/**
 * The renderer's fingerprint: one hash of everything apart from the inputs that shapes what a render writes. The
 * render cache (cache.ts) keys every entry with it, so a changed renderer never reuses results of the old one.
 *
 * It covers the code of every module the render loads, found by following the imports from render.js (so a new
 * stage is covered without a list to update); the name and version of every library those modules import and of
 * every library those depend on (js-yaml and ajv shape the inputs, yaml the output bytes, handlebars the templates);
 * and the Node.js version. Reading the installed code is IO, so this module sits at the edge with fs.ts, and the
 * hash is computed once per process.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Fingerprint {
  hash: string;
  /** The modules hashed, relative to the entry module's folder. */
  modules: string[];
  /** `name@version` of every library hashed. */
  libraries: string[];
}

// Why a scan of the module text instead of a list: a list goes stale the day someone adds a stage or a library.
// Relative specifiers are any quoted './…' or '../…' path to a module (import, dynamic import, createRequire);
// bare ones follow `from`, `import(`, `require(` or a call of a created require (`…)('yaml')`).
const relativeSpecifier = /['"](\.\.?\/[^'"\s]+?\.c?js)['"]/g;
const bareSpecifier = /(?:\bfrom|\bimport|\brequire|\))\s*\(?\s*['"]([^'"./\s][^'"\s]*)['"]/g;

const builtins = new Set(builtinModules);

/** `ajv/dist/standalone/index.js` → `ajv`; `@sinclair/typebox/compiler` → `@sinclair/typebox`; undefined for built-ins. */
function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || builtins.has(specifier.split('/')[0]!)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The module file a relative specifier names: the compiled `.js`, or its `.ts` source when running from sources. */
function moduleFile(from: string, specifier: string): string | undefined {
  const file = path.resolve(path.dirname(from), specifier);
  if (existsSync(file)) return file;
  const source = file.replace(/\.js$/, '.ts');
  return source !== file && existsSync(source) ? source : undefined;
}

/** The folder of an installed package, found the way Node does: node_modules/<name> in this folder or above. */
function packageDir(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Fingerprints the module `entry` and everything it loads. */
export function codeFingerprint(entry: string): Fingerprint {
  const root = path.dirname(entry);
  const modules = new Map<string, string>();
  const packages = new Map<string, string>();
  const visitPackage = (from: string, name: string) => {
    const dir = packageDir(from, name);
    if (!dir || packages.has(dir)) return;
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; dependencies?: Record<string, string> };
    packages.set(dir, `${manifest.name ?? name}@${manifest.version ?? 'unknown'}`);
    for (const dependency of Object.keys(manifest.dependencies ?? {}).sort()) visitPackage(dir, dependency);
  };
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    const name = path.relative(root, file).split(path.sep).join('/');
    if (modules.has(name)) continue;
    const text = readFileSync(file, 'utf8');
    modules.set(name, text);
    for (const [, specifier] of text.matchAll(relativeSpecifier)) {
      const next = moduleFile(file, specifier!);
      if (next) pending.push(next);
    }
    for (const [, specifier] of text.matchAll(bareSpecifier)) {
      const pkg = packageName(specifier!);
      if (pkg) visitPackage(path.dirname(file), pkg);
    }
  }
  const names = [...modules.keys()].sort();
  const libraries = [...new Set(packages.values())].sort();
  const hash = createHash('sha1').update(`node ${process.version}\n`);
  for (const lib of libraries) hash.update(`library ${lib}\n`);
  for (const name of names) hash.update(`module ${name}\n`).update(modules.get(name)!).update('\n');
  return { hash: hash.digest('hex'), modules: names, libraries };
}

let memo: string | undefined;

/** The fingerprint of this renderer (render.js, or render.ts when running from sources), once per process. */
export function rendererFingerprint(): string {
  if (memo === undefined) {
    const entry = moduleFile(fileURLToPath(import.meta.url), './render.js');
    if (!entry) throw new Error(`cannot fingerprint the renderer: no render.js or render.ts next to ${fileURLToPath(import.meta.url)}`);
    memo = codeFingerprint(entry).hash;
  }
  return memo;
}
