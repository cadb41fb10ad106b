/**
 * The system tools the test suite needs, checked once before it starts so that a fresh machine fails at once with
 * one message naming every missing tool and how to install it, instead of failing test by test. Add a tool here
 * when a test starts needing one.
 */
import { run } from '../process.js';

export interface SystemTool {
  /** The program on PATH. */
  program: string;
  /** What needs it. */
  why: string;
  /** How to install it on Debian/Ubuntu, and elsewhere. */
  install: string;
}

export const systemTools: readonly SystemTool[] = [
  { program: 'git', why: 'the diff, promotion and gate tests drive real git repositories', install: 'apt-get install -y git' },
  { program: 'go', why: 'npm run tools builds the pinned kubeconform, actionlint, helm and gitleaks', install: 'apt-get install -y golang-go, or https://go.dev/dl/ (Go ≥1.22)' },
  { program: 'shellcheck', why: "actionlint checks the workflows' run: scripts with it", install: 'apt-get install -y shellcheck' },
  {
    program: 'python3',
    why: 'npm run tools pip-installs the pinned zizmor (the workflow security audit) into a virtual environment',
    install: 'apt-get install -y python3 python3-venv',
  },
  {
    program: 'kubectl',
    why: 'the benchmark test compares the output with kubectl kustomize',
    install: 'apt-get install -y kubernetes-client (Debian), or https://kubernetes.io/docs/tasks/tools/',
  },
];

/** The tools of `tools` that are not on the PATH of `env`. */
export async function missingSystemTools(env: NodeJS.ProcessEnv, tools: readonly SystemTool[] = systemTools): Promise<SystemTool[]> {
  const found = await Promise.all(
    tools.map(async (tool) => {
      // `command -v` answers for programs on PATH without running them (some have no --version).
      return (await run('/bin/sh', ['-c', 'command -v "$0"', tool.program], { env })).code === 0;
    }),
  );
  return tools.filter((_, i) => !found[i]);
}

/** One message for every missing tool: what needs it and how to install it. */
export function missingToolsMessage(missing: readonly SystemTool[]): string {
  return (
    `the tests need ${missing.length === 1 ? 'a system tool that is' : `${missing.length} system tools that are`} not installed:\n` +
    missing.map((t) => `  ${t.program}: ${t.why}; install: ${t.install}`).join('\n') +
    '\n  hint: install them and run npm test again (.ci/run installs them on a fresh Debian machine)'
  );
}
