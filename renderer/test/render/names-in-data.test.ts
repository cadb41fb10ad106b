// Knowledge lives in the inputs: no environment, cluster or add-on name is written into the code or the workflows. Environments
// declare their place in the chain and their policies (overlays/<env>/environment.yaml), add-ons what they provide
// (base/addons.yaml); the code reads them through the typed model and clusters/index.json.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { LineCounter, parse, parseDocument, visit } from 'yaml';
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

/** The code files under `dir`: TypeScript and the scripts' JavaScript. */
function codeFiles(dir: string): string[] {
  return readdirSync(at(dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? codeFiles(rel) : /\.(ts|mjs|js)$/.test(rel) && !rel.endsWith('.d.ts') ? [rel] : [];
  });
}

/**
 * The names a piece of text holds as knowledge of the inputs: the whole text, a repository path segment
 * (`overlays/<env>`, `clusters/<cluster>`), a namespace the renderer derives (`berrys-<env>`), or the value of a
 * command-line flag that takes an environment or cluster (`--env staging`, `-n berrys-local`). Prose that mentions a
 * name ("on a local laptop") and upstream identifiers that contain one (the API group cert-manager.io) are not.
 */
function namesInText(text: string, names: ReadonlySet<string>): string[] {
  const inPaths = [...text.matchAll(/(?:^|\/)(?:overlays|clusters)\/([^/\s]+)/g)].map((m) => m[1]!);
  const namespaces = [...text.matchAll(/(?:^|[^\w.-])berrys-([a-z0-9-]+)/g)].map((m) => m[1]!);
  const flagged = [...text.matchAll(/(?:^|\s)(?:--env|--cluster|--from|--to|--namespace|-n)[ =]([a-z0-9-]+)/g)].map((m) => m[1]!);
  return [...new Set([text.trim(), ...inPaths, ...namespaces, ...flagged])].filter((word) => names.has(word));
}

/** `file:line: name in "literal"` for each string or template literal part of a TypeScript or JavaScript file. */
export function namesInLiterals(file: string, text: string, names: ReadonlySet<string>): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      for (const word of namesInText(node.text, names))
        found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${word} in ${JSON.stringify(node.text)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `file:line: name in "value"` for each string value of a workflow (keys, values, run: scripts). */
function namesInWorkflow(file: string, text: string, names: ReadonlySet<string>): string[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const found: string[] = [];
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== 'string') return;
      for (const word of namesInText(node.value, names)) found.push(`${file}:${lines.linePos(node.range?.[0] ?? 0).line}: ${word} in ${JSON.stringify(node.value)}`);
    },
  });
  return found;
}

/**
 * Names the end-to-end scripts still hold, until their body moves into typed modules that read the laptop cluster
 * from clusters/index.json (the e2e helper's part of this work): by file and name, so a new one anywhere fails.
 */
const knownInE2eScripts = new Set([
  'scripts/e2e/flows.mjs: local',
  'scripts/e2e/flows.mjs: production',
  'scripts/e2e/flows.mjs: external-secrets',
  'scripts/e2e/main.mjs: local',
  'scripts/e2e/release-flow.mjs: development',
  // The e2e run builds and starts the metrics-server program itself (a binary of that name, from the pins).
  'renderer/src/e2e/recipes.ts: metrics-server',
  'scripts/e2e/build.mjs: metrics-server',
  'scripts/e2e/host-pods.mjs: metrics-server',
  'scripts/e2e/main.mjs: metrics-server',
]);

describe('names in the code', () => {
  it('finds a name as a whole string, a template part, a path segment, a derived namespace or a flag value, and not in prose, a comment or a longer word', () => {
    const text =
      "// staging\nconst a = 'staging';\nconst b = `${a}production`;\nconst c = 'overlays/qa/x';\nconst d = `clusters/${a}`;\n" +
      "const e = 'staging-like productions';\nconst f = 'runs on a staging cluster';\nconst g = 'cert-manager.io';\n" +
      "const h = `kubectl -n berrys-qa get pods`;\nconst i = `npm run status -- --env ${'x'} --cluster production`;\n";
    expect(namesInLiterals('f.ts', text, new Set(['staging', 'production', 'qa', 'cert-manager']))).toEqual([
      'f.ts:2: staging in "staging"',
      'f.ts:3: production in "production"',
      'f.ts:4: qa in "overlays/qa/x"',
      'f.ts:9: qa in "kubectl -n berrys-qa get pods"',
      'f.ts:10: production in " --cluster production"',
    ]);
  });

  it('fails when a script names a cluster, in a template string too', () => {
    const script = "import { $ } from 'zx';\nawait $`node scripts/run.mjs status --env ${env} --cluster production-dr`;\n";
    expect(namesInLiterals('scripts/x.mjs', script, new Set(['production-dr']))).toEqual(['scripts/x.mjs:2: production-dr in " --cluster production-dr"']);
  });

  it('holds no environment, cluster or add-on name in renderer/src, scripts/ or the workflows', () => {
    const names = declaredNames();
    expect(names).toContain('production-dr');
    expect(names).toContain('traefik');
    const code = [...codeFiles('renderer/src'), ...codeFiles('scripts')].flatMap((file) => namesInLiterals(file, readFileSync(at(file), 'utf8'), names));
    const workflows = readdirSync(at('.github/workflows'))
      .filter((f) => f.endsWith('.yml'))
      .flatMap((f) => namesInWorkflow(`.github/workflows/${f}`, readFileSync(at(`.github/workflows/${f}`), 'utf8'), names));
    const known = (finding: string) => knownInE2eScripts.has(finding.replace(/:\d+: (\S+) in .*$/s, ': $1'));
    expect([...code, ...workflows].filter((finding) => !known(finding))).toEqual([]);
  });
});
