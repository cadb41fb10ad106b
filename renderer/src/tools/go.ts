/**
 * The Go edge of the tools step: `go install` for the pinned tools and `go mod download` for the pinned upstream
 * modules. Everything uses the machine's normal GOPATH/GOMODCACHE, so a CI cache of it (actions/setup-go) helps.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProgramNotFound, run as runProcess, type RunResult } from '../process.js';
import { moduleRef, type ModulePin } from './pins.js';

/** Raised when the tools step cannot provision something; the message says what to do. */
export class ToolsError extends Error {
  override readonly name = 'ToolsError';
}

export const goMissingMessage = 'Go ≥1.22 is needed to build kubeconform, actionlint, helm and gitleaks: apt-get install golang-go or see https://go.dev/doc/install';

/** The tools step's runner (process.ts); a missing program becomes `missing` (default: Go's install hint). */
export async function run(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; missing?: string }): Promise<RunResult> {
  try {
    return await runProcess(cmd, args, options);
  } catch (err) {
    throw err instanceof ProgramNotFound ? new ToolsError(options.missing ?? goMissingMessage) : err;
  }
}

/** Parses `go env GOVERSION` output ("go1.26.8", "go1.22rc1") into [major, minor], or undefined. */
export function parseGoVersion(text: string): [number, number] | undefined {
  const m = /^go(\d+)\.(\d+)/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Runs go commands in a scratch folder with no go.mod, so no surrounding module changes what go resolves. */
async function inScratch<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berrys-tools-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Throws the install hint when go is missing or older than 1.22 (the oldest that builds the pinned tools). */
export async function checkGo(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const result = await inScratch((cwd) => run('go', ['env', 'GOVERSION'], { cwd, env }));
  const version = parseGoVersion(result.stdout);
  if (result.code !== 0 || !version || version[0] < 1 || (version[0] === 1 && version[1] < 22)) {
    throw new ToolsError(`${goMissingMessage} (found: ${result.stdout.trim() || result.stderr.trim() || 'no usable go'})`);
  }
  return result.stdout.trim();
}

/** `GOBIN=<bin> go install module@version`. */
export async function goInstall(pin: ModulePin, bin: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const result = await inScratch((cwd) => run('go', ['install', moduleRef(pin)], { cwd, env: { ...env, GOBIN: bin, GO111MODULE: 'on' } }));
  if (result.code !== 0) {
    throw new ToolsError(
      `'go install ${moduleRef(pin)}' failed:\n${result.stderr.trim()}\n  hint: check the version in renderer/pins.json and that the Go module proxy (GOPROXY=${env.GOPROXY ?? 'default'}) is reachable.`,
    );
  }
}

/** `go mod download -json module@version`; returns the folder Go unpacked the module into (inside GOMODCACHE). */
export async function goModDownload(pin: ModulePin, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const result = await inScratch((cwd) => run('go', ['mod', 'download', '-json', moduleRef(pin)], { cwd, env: { ...env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' } }));
  let info: { Dir?: string; Error?: string } | undefined;
  try {
    info = JSON.parse(result.stdout) as { Dir?: string; Error?: string };
  } catch {
    info = undefined;
  }
  if (result.code !== 0 || !info?.Dir) {
    const why = info?.Error ?? (result.stderr || result.stdout).trim();
    throw new ToolsError(
      `'go mod download ${moduleRef(pin)}' failed: ${why}\n  hint: check the version in renderer/pins.json and that the Go module proxy (GOPROXY=${env.GOPROXY ?? 'default'}) is reachable.`,
    );
  }
  return info.Dir;
}
