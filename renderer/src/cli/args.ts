/** A tiny argument parser shared by the command modules: `--flag`, `--key value`, `--key=value`. */
export class UsageError extends Error {
  readonly usage = true;
}

export interface ParsedArgs {
  flags: Set<string>;
  values: Map<string, string[]>;
}

export function parseArgs(argv: string[], spec: { flags?: string[]; values?: string[] }): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (spec.flags?.includes(name)) {
      flags.add(name);
    } else if (spec.values?.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), ...value.split(',').filter(Boolean)]);
    } else {
      const known = [...(spec.flags ?? []), ...(spec.values ?? [])].map((k) => `--${k}`).join(', ');
      throw new UsageError(`unknown option '--${name}' (known: ${known || 'none'})`);
    }
  }
  return { flags, values };
}
