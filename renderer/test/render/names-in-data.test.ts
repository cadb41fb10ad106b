// Knowledge lives in the inputs: no environment or add-on name is written into the code as a string. Environments
// declare their place in the chain and their policies (overlays/<env>/environment.yaml), add-ons what they provide
// (base/addons.yaml); the code reads them through the typed model and clusters/index.json.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { defaultRepoRoot, repoPaths } from '../../src/paths.js';

const at = (rel: string) => path.join(defaultRepoRoot, rel);

/** Every environment name (folders under overlays/ and their clusters) and every add-on name of the repository. */
function declaredNames(): Set<string> {
  const names = new Set<string>();
  for (const env of readdirSync(at(repoPaths.overlaysDir), { withFileTypes: true }).filter((e) => e.isDirectory())) {
    names.add(env.name);
    const spec = parse(readFileSync(at(repoPaths.environment(env.name)), 'utf8')) as { clusters: { name: string }[] };
    for (const c of spec.clusters) names.add(c.name);
  }
  for (const addon of (parse(readFileSync(at(repoPaths.addons), 'utf8')) as { addons: { name: string }[] }).addons) names.add(addon.name);
  return names;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(at(dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? sourceFiles(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

/**
 * `file:line: name in "literal"` for each string or template literal of the file that is one of the names, or names
 * one in a repository path (`overlays/<env>`, `clusters/<cluster>`). Prose that mentions a name ("on a local
 * laptop") and upstream identifiers that contain one (the API group cert-manager.io) are not knowledge of the inputs.
 */
export function namesInLiterals(file: string, text: string, names: ReadonlySet<string>): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const inPaths = [...node.text.matchAll(/(?:^|\/)(?:overlays|clusters)\/([^/]+)/g)].map((m) => m[1]!);
      for (const word of new Set([node.text.trim(), ...inPaths])) {
        if (names.has(word)) found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${word} in ${JSON.stringify(node.text)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('names in the code', () => {
  it('finds a name as a whole string, a template part or a path segment, and not in prose, a comment or a longer word', () => {
    const text =
      "// staging\nconst a = 'staging';\nconst b = `${a}production`;\nconst c = 'overlays/qa/x';\nconst d = `clusters/${a}`;\n" +
      "const e = 'staging-like productions';\nconst f = 'runs on a staging cluster';\nconst g = 'cert-manager.io';\n";
    expect(namesInLiterals('f.ts', text, new Set(['staging', 'production', 'qa', 'cert-manager']))).toEqual([
      'f.ts:2: staging in "staging"',
      'f.ts:3: production in "production"',
      'f.ts:4: qa in "overlays/qa/x"',
    ]);
  });

  it('holds no environment or add-on name as a string in renderer/src', () => {
    const names = declaredNames();
    expect(names).toContain('production-dr');
    expect(names).toContain('traefik');
    const found = sourceFiles('renderer/src').flatMap((file) => namesInLiterals(file, readFileSync(at(file), 'utf8'), names));
    expect(found).toEqual([]);
  });
});
