/**
 * Where alerts go, from the environment's `alerting` (overlays/<env>/environment.yaml): Alertmanager's route and
 * receivers, Argo CD's notifications (sync failed, degraded), and the ExternalSecrets that bring each receiver's
 * credential from the secret store. Pure: the environment's declaration in, configuration out. The credentials never
 * pass through here: only the secret store entries that hold them, read in the cluster as files (Alertmanager) or
 * `$key` references (Argo CD).
 */
import type { EnvironmentSpec } from '../model.js';

type Alerting = NonNullable<EnvironmentSpec['alerting']>;
type Receiver = Alerting['receivers'][number];

/** The Secret Alertmanager mounts (alertmanagerSpec.secrets), one key per receiver credential. */
export const alertmanagerSecret = 'alertmanager-receivers';
/** Where the Prometheus operator mounts `alertmanagerSpec.secrets` in the Alertmanager pods. */
const alertmanagerSecretDir = `/etc/alertmanager/secrets/${alertmanagerSecret}`;
/** The Secret Argo CD's notifications controller reads `$key` references from (its fixed name). */
export const argocdNotificationsSecret = 'argocd-notifications-secret';
/** The property of the stored JSON each kind of receiver keeps its credential in. */
const credentialProperty: Record<Receiver['type'], string> = { slack: 'token', pagerduty: 'routingKey' };

/** One key of a Secret made by an ExternalSecret: its key, the store entry and the property it comes from. */
export interface SecretItem {
  secretKey: string;
  key: string;
  property: string;
}

function credentialKey(r: Receiver): string {
  return `${r.name}-${r.type === 'slack' ? 'token' : 'routing-key'}`;
}

/**
 * Alertmanager's `route` and `receivers`. Each alert goes to every receiver whose severities include its own
 * (`continue: true`); what matches none goes to the first receiver, so nothing is dropped. Two always-firing alerts
 * of the chart keep its `null` receiver: Watchdog (a dead man's switch for an outside monitor, not a message) and
 * InfoInhibitor (which only silences info alerts).
 */
export function alertmanagerConfig(alerting: Alerting): { route: Record<string, unknown>; receivers: Record<string, unknown>[] } {
  const receivers = alerting.receivers.map((r) => ({
    name: r.name,
    ...(r.type === 'slack'
      ? {
          slack_configs: [
            {
              api_url: 'https://slack.com/api/chat.postMessage',
              channel: r.channel,
              send_resolved: true,
              http_config: { authorization: { credentials_file: `${alertmanagerSecretDir}/${credentialKey(r)}` } },
            },
          ],
        }
      : { pagerduty_configs: [{ routing_key_file: `${alertmanagerSecretDir}/${credentialKey(r)}`, send_resolved: true }] }),
  }));
  return {
    route: {
      receiver: alerting.receivers[0]!.name,
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { receiver: 'null', matchers: ['alertname =~ "Watchdog|InfoInhibitor"'] },
        ...alerting.receivers.map((r) => ({ receiver: r.name, matchers: [`severity =~ "${r.severities.join('|')}"`], continue: true })),
      ],
    },
    receivers: [{ name: 'null' }, ...receivers],
  };
}

/** The keys of the Secret Alertmanager mounts: each receiver's credential, from its own store entry. */
export function alertmanagerSecretItems(alerting: Alerting, storeKey: (key: string) => string): SecretItem[] {
  return alerting.receivers.map((r) => ({ secretKey: credentialKey(r), key: storeKey(r.storeEntry), property: credentialProperty[r.type] }));
}

/**
 * Argo CD notifications for the receiver `alerting.deployments` names: its triggers (a sync that failed, an
 * Application that turned Degraded), their templates and the Slack service, as the data of `argocd-notifications-cm`,
 * and the key of `argocd-notifications-secret` the service reads. Undefined when the environment names none.
 */
export function argocdNotifications(alerting: Alerting, storeKey: (key: string) => string): { data: Record<string, string>; secret: SecretItem[] } | undefined {
  const receiver = alerting.receivers.find((r) => r.name === alerting.deployments);
  if (!receiver || receiver.type !== 'slack') return undefined;
  const item: SecretItem = { secretKey: 'slack-token', key: storeKey(receiver.storeEntry), property: credentialProperty.slack };
  const message = (what: string) => `message: |\n  ${what}\n  Revision {{.app.status.sync.revision}}: {{.context.argocdUrl}}/applications/{{.app.metadata.name}}\n`;
  return {
    data: {
      'service.slack': `token: $${item.secretKey}\n`,
      'trigger.on-sync-failed': "- when: app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']\n  send: [app-sync-failed]\n",
      'trigger.on-health-degraded': "- when: app.status.health.status == 'Degraded'\n  send: [app-health-degraded]\n",
      'template.app-sync-failed': message('Application {{.app.metadata.name}} failed to sync: {{.app.status.operationState.message}}'),
      'template.app-health-degraded': message('Application {{.app.metadata.name}} is Degraded.'),
      subscriptions: `- recipients: [${JSON.stringify(`slack:${receiver.channel}`)}]\n  triggers: [on-sync-failed, on-health-degraded]\n`,
    },
    secret: [item],
  };
}
