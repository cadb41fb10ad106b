/**
 * Stage 3, template: Handlebars templates + contexts → YAML text.
 *
 * Templating YAML as text is where Helm users get burnt, so values never enter the text raw: every `{{ }}` must be
 * `{{yaml value}}`, which writes the value as a JSON literal (valid YAML flow syntax). A string holding `:`, `#`,
 * `---`, a newline or quotes therefore stays one string. A template that inserts a value any other way is refused
 * before anything is rendered, and a reference to a value the context does not have is an error, not an empty string.
 */
import Handlebars from 'handlebars';
import type { Problem, SourceLocation } from '../errors.js';
import type { Template } from './load.js';

/** One object group to render: which template, into which folder, with what values, from which inputs. */
export interface TemplateJob {
  cluster: string;
  environment: string;
  /** The platform's name (base/platform.yaml `name`); normalize labels every object part of it. */
  platform: string;
  /** Repository-relative folder the objects go to. */
  folder: string;
  template: string;
  context: Record<string, unknown>;
  sources: string[];
  /** Where a person would fix a problem with these objects, when one input line decides it. */
  origin?: SourceLocation;
  /** Where the version of the job's container image is set (an app's line of versions.yaml), for image findings. */
  imageOrigin?: SourceLocation;
}

/** A template ready to run, with the text it was compiled from (the job cache keys on that text). */
export interface CompiledTemplate {
  file: string;
  text: string;
  run: Handlebars.TemplateDelegate;
  /** `line:col` of each `{{yaml x}}` → the expression `x`, for naming a missing value in errors. */
  expressions: Map<string, string>;
}

/** Thrown inside a template run; carries the template position. */
class TemplateValueError extends Error {
  constructor(
    message: string,
    readonly loc: { line: number; column: number } | undefined,
  ) {
    super(message);
  }
}

const allowedBlocks = new Set(['if', 'unless', 'each', 'with']);

function createEnvironment(): typeof Handlebars {
  const hb = Handlebars.create();
  const locOf = (options: Handlebars.HelperOptions) => (options as unknown as { loc?: { start: { line: number; column: number } } }).loc?.start;
  hb.registerHelper('yaml', function (this: unknown, ...args: unknown[]) {
    const options = args[args.length - 1] as Handlebars.HelperOptions;
    if (args.length !== 2) throw new TemplateValueError('{{yaml}} takes exactly one value', locOf(options));
    const value = args[0];
    if (value === undefined) throw new TemplateValueError('missing value', locOf(options));
    return JSON.stringify(value);
  });
  // Strict conditions: a misspelt name in {{#if}} must not silently read as false.
  for (const name of ['if', 'unless'] as const) {
    const original = hb.helpers[name] as Handlebars.HelperDelegate;
    hb.registerHelper(name, function (this: unknown, condition: unknown, options: Handlebars.HelperOptions) {
      if (condition === undefined) throw new TemplateValueError(`missing value in {{#${name}}}`, locOf(options));
      return original.call(this, condition, options);
    });
  }
  return hb;
}

/** Compiles each template once and checks that it only inserts values through {{yaml}}. */
export function compileTemplates(templates: Map<string, Template>): { compiled: Map<string, CompiledTemplate>; problems: Problem[] } {
  const hb = createEnvironment();
  const compiled = new Map<string, CompiledTemplate>();
  const problems: Problem[] = [];
  for (const [name, template] of templates) {
    let ast: hbs.AST.Program;
    try {
      ast = Handlebars.parse(template.text);
    } catch (err) {
      const m = /Parse error on line (\d+)/.exec(String((err as Error).message));
      problems.push({
        file: template.file,
        line: m ? Number(m[1]) : undefined,
        message: `template does not parse: ${String((err as Error).message).split('\n')[0]}`,
        hint: 'check the {{ }} and {{#…}}{{/…}} pairs',
      });
      continue;
    }
    const expressions = new Map<string, string>();
    const walk = (nodes: hbs.AST.Statement[]) => {
      for (const node of nodes) {
        if (node.type === 'MustacheStatement') {
          const m = node as hbs.AST.MustacheStatement;
          const helper = (m.path as hbs.AST.PathExpression).original;
          const where = { file: template.file, line: m.loc.start.line, col: m.loc.start.column + 1 };
          if (helper !== 'yaml' || m.params.length !== 1) {
            problems.push({
              ...where,
              message: `template inserts a value without {{yaml}}: {{${helper}${m.params.length ? ' …' : ''}}}`,
              hint: `write {{yaml ${m.params.length ? '…' : helper}}} so the value cannot change the YAML structure`,
            });
          } else {
            expressions.set(`${m.loc.start.line}:${m.loc.start.column}`, (m.params[0] as hbs.AST.PathExpression).original ?? '?');
          }
        } else if (node.type === 'BlockStatement') {
          const b = node as hbs.AST.BlockStatement;
          const helper = (b.path as hbs.AST.PathExpression).original;
          if (!allowedBlocks.has(helper)) {
            problems.push({
              file: template.file,
              line: b.loc.start.line,
              col: b.loc.start.column + 1,
              message: `unknown block helper {{#${helper}}}`,
              hint: `use one of ${[...allowedBlocks].join(', ')}`,
            });
          }
          walk(b.program.body);
          if (b.inverse) walk(b.inverse.body);
        }
      }
    };
    walk(ast.body);
    const run = hb.compile(template.text, { strict: true, noEscape: true, knownHelpersOnly: false });
    compiled.set(name, { file: template.file, text: template.text, run, expressions });
  }
  return { compiled, problems };
}

/** Runs one job through its compiled template: the YAML text, or the problem that stopped it. */
export function runTemplate(template: CompiledTemplate, job: TemplateJob): { text: string } | { problem: Problem } {
  try {
    return { text: template.run(job.context) };
  } catch (err) {
    return { problem: describeTemplateError(template, err as Error) };
  }
}

function describeTemplateError(template: CompiledTemplate, err: Error): Problem {
  if (err instanceof TemplateValueError) {
    const line = err.loc?.line;
    const expression = err.loc ? template.expressions.get(`${err.loc.line}:${err.loc.column}`) : undefined;
    return {
      file: template.file,
      line,
      col: err.loc ? err.loc.column + 1 : undefined,
      message: expression ? `template references a missing value '${expression}'` : `template ${err.message}`,
      hint: 'check the spelling against the values the renderer passes (see ARCHITECTURE.md, Template contexts)',
    };
  }
  // Handlebars' strict mode: `"x" not defined in [object Object] - 3:10`
  const m = /"(.+)" not defined in .* - (\d+):(\d+)/.exec(err.message);
  if (m) {
    return {
      file: template.file,
      line: Number(m[2]),
      col: Number(m[3]) + 1,
      message: `template references a missing value '${m[1]}'`,
      hint: 'check the spelling against the values the renderer passes (see ARCHITECTURE.md, Template contexts)',
    };
  }
  return { file: template.file, message: `template failed: ${err.message}` };
}
