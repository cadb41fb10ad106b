/**
 * `npm run e2e`: the command's declaration. Its body is a zx script (scripts/e2e/main.mjs), because it drives
 * processes, servers and signals at the edge; everything it decides lives in the pure modules beside this one.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineCommand, standardExitCodes } from '../cli/command.js';

export const command = defineCommand({
  name: 'e2e',
  purpose: 'builds the pinned API server, kwok and Argo CD, dry-runs every rendered file server-side and runs the GitOps loop and its flows on 127.0.0.1',
  options: {
    keep: { type: 'boolean', description: 'leave the cluster and Argo CD running and print how to reach them' },
    rehearse: {
      type: 'string',
      value: '<cluster>',
      description:
        'instead of the laptop loop: run a rendered cluster (e.g. production) in its own shape: kwok nodes from its node groups, every chart from its repository or the local mirror, in wave order',
    },
    at: {
      type: 'string',
      value: '<commit>',
      description:
        "with --rehearse: serve this commit's rendered clusters/ instead of HEAD's (e.g. one before a fix, to see the rehearsal name the defect); nodes still come from this checkout's node groups",
    },
  },
  exitCodes: { 0: 'passed', 1: 'a check failed or a component could not start (logs: .cache/e2e/logs/)', 2: standardExitCodes[2] },
  async run(v, { root }) {
    const body = (await import(pathToFileURL(path.join(root, 'scripts', 'e2e', 'main.mjs')).href)) as {
      e2e(o: { keep: boolean; rehearse?: string; at?: string }): Promise<number>;
    };
    return body.e2e({ keep: v.keep ?? false, rehearse: v.rehearse, at: v.at });
  },
});
