/**
 * `npm run bootstrap`: flags → options → runBootstrap → exit code.
 */
import { defineCommand, standardExitCodes } from '../cli/command.js';
import { UsageError } from '../errors.js';
import { runBootstrap } from './bootstrap.js';

export const command = defineCommand({
  name: 'bootstrap',
  purpose: "applies a cluster's rendered root Application once, after which Argo CD syncs everything else from git",
  options: {
    cluster: { type: 'string', required: true, value: '<cluster>', description: 'the cluster (a name from clusters/index.json)' },
    'dry-run': { type: 'boolean', description: 'print what would be applied and where; apply nothing' },
    context: { type: 'string', value: '<kube-context>', description: 'the kube context to use (default: the current one)' },
    kubeconfig: { type: 'string', value: '<file>', description: 'the kube config (default: $KUBECONFIG, else ~/.kube/config)' },
    'allow-unenforced': {
      type: 'string',
      value: '<reason>',
      description: 'go on although the NetworkPolicy enforcement the environment declares is missing; the reason is printed',
    },
  },
  exitCodes: {
    0: 'applied (or printed, with --dry-run)',
    1: 'error, or refused (the target is not the cluster named, or NetworkPolicies it must enforce are not enforced)',
    2: standardExitCodes[2],
  },
  async run(v, { root, io }) {
    const allowUnenforced = v['allow-unenforced'];
    if (allowUnenforced !== undefined && allowUnenforced.trim() === '')
      throw new UsageError('--allow-unenforced needs a reason, e.g. --allow-unenforced "rehearsal cluster without the VPC CNI"');
    await runBootstrap({ root, cluster: v.cluster!, dryRun: v['dry-run'], context: v.context, kubeconfig: v.kubeconfig, out: io.out, allowUnenforced });
    return 0;
  },
});
