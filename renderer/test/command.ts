/** Runs a declared command in-process with its output captured, as scripts/lib/run.mjs runs it for a person. */
import { runCommand, type Command } from '../src/cli/command.js';

export interface Captured {
  code: number;
  out: string[];
  err: string[];
}

export async function runCaptured(command: Command, argv: string[], root: string, env: NodeJS.ProcessEnv = {}): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(command, argv, { root, io: { out: (l) => out.push(l), err: (l) => err.push(l), color: false, env } });
  return { code, out, err };
}
