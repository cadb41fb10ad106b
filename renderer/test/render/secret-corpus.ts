/**
 * A corpus of fake secrets in the real formats of the providers gitleaks' default rules know, generated at test time
 * from a fixed seed: prefixes are written in parts and bodies are random, so neither this file nor any scanner run
 * over the repository (GitHub's push protection, gitleaks) sees a secret in the source. None is a real credential.
 */

/** mulberry32: a small seeded generator, so the corpus is the same on every run. */
function generator(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const lower = upper.toLowerCase();
const digits = '0123456789';
const alnum = upper + lower + digits;
const hex = '0123456789abcdef';
const word = `${alnum}_`;
const dashed = `${alnum}_-`;

/** Where a fake secret is written in the inputs. */
type Place = 'value' | 'env name' | 'annotation' | 'add-on value' | 'comment';

export interface FakeSecret {
  /** The provider format, as gitleaks' rule id names it. */
  format: string;
  place: Place;
  /** The secret as written (one line). */
  secret: string;
}

/** `n` random characters of `alphabet`. */
type Random = (alphabet: string, n: number) => string;

function randomOf(seed: number): Random {
  const next = generator(seed);
  return (alphabet, n) => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]!).join('');
}

const b64url = (text: string) => Buffer.from(text).toString('base64url');

/** A PEM private key with a random body, as one string with newlines. */
function pem(r: Random): string {
  const label = ['RSA', 'PRIVATE KEY'].join(' ');
  const body = Array.from({ length: 4 }, () => r(`${alnum}+/`, 64)).join('\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
}

/** Each format once or more, with the places it is written; the prefixes are split so that no scanner sees them here. */
export function fakeSecrets(seed = 20261206): FakeSecret[] {
  const r = randomOf(seed);
  const p = (...parts: string[]) => parts.join('');
  const jwt = () => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${r(alnum, 12)}","iat":1700000000}`)}.${r(dashed, 43)}`;
  const s: [string, Place, string][] = [
    ['aws-access-token', 'env name', p('AK', 'IA', r('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16))],
    ['aws-access-token', 'env name', p('AS', 'IA', r('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16))],
    ['aws-access-token', 'value', p('AK', 'IA', r('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16))],
    ['aws-access-token', 'comment', p('AB', 'IA', r('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16))],
    ['gcp-api-key', 'value', p('AI', 'za', r(dashed, 35))],
    ['gcp-api-key', 'add-on value', p('AI', 'za', r(dashed, 35))],
    ['gcp-api-key', 'annotation', p('AI', 'za', r(dashed, 35))],
    ['stripe-access-token', 'value', p('sk', '_live_', r(alnum, 24))],
    ['stripe-access-token', 'add-on value', p('rk', '_live_', r(alnum, 24))],
    ['stripe-access-token', 'comment', p('sk', '_test_', r(alnum, 24))],
    ['private-key', 'value', Buffer.from(pem(r)).toString('base64')],
    ['private-key', 'add-on value', Buffer.from(pem(r)).toString('base64')],
    [
      'azure-storage-connection-string',
      'value',
      p('DefaultEndpointsProtocol=https;AccountName=corpus;Account', 'Key=', Buffer.from(r(alnum, 64)).toString('base64'), ';EndpointSuffix=core.windows.net'),
    ],
    [
      'azure-storage-connection-string',
      'add-on value',
      p('DefaultEndpointsProtocol=https;AccountName=logs;Account', 'Key=', Buffer.from(r(alnum, 64)).toString('base64'), ';EndpointSuffix=core.windows.net'),
    ],
    ['azure-ad-client-secret', 'value', p(r(alnum, 3), r(digits, 1), 'Q', '~', r(dashed, 34))],
    ['github-pat', 'value', p('gh', 'p_', r(alnum, 36))],
    ['github-pat', 'annotation', p('gh', 'p_', r(alnum, 36))],
    ['github-oauth', 'comment', p('gh', 'o_', r(alnum, 36))],
    ['github-app-token', 'add-on value', p('gh', 's_', r(alnum, 36))],
    ['github-fine-grained-pat', 'value', p('github', '_pat_', r(word, 82))],
    ['gitlab-pat', 'value', p('gl', 'pat-', r(dashed, 20))],
    ['gitlab-pat', 'comment', p('gl', 'pat-', r(dashed, 20))],
    ['gitlab-ptt', 'add-on value', p('gl', 'ptt-', r(hex, 40))],
    ['slack-bot-token', 'value', p('xo', 'xb-', r(digits, 12), '-', r(digits, 13), '-', r(alnum, 24))],
    ['slack-webhook-url', 'add-on value', p('https://hooks.', 'slack.com/services/T', r(upper + digits, 8), '/B', r(upper + digits, 10), '/', r(alnum, 24))],
    ['openai-api-key', 'value', p('sk', '-proj-', r(dashed, 74), 'T3Blbk', 'FJ', r(dashed, 74))],
    ['anthropic-api-key', 'annotation', p('sk', '-ant-api03-', r(dashed, 93), 'AA')],
    ['npm-access-token', 'value', p('np', 'm_', r(lower + digits, 36))],
    ['pypi-upload-token', 'value', p('py', 'pi-AgEIcHlwaS5vcmc', r(dashed, 60))],
    ['sendgrid-api-token', 'value', p('S', 'G.', r(dashed, 22), '.', r(dashed, 43))],
    ['shopify-access-token', 'value', p('sh', 'pat_', r(hex, 32))],
    ['digitalocean-pat', 'annotation', p('do', 'p_v1_', r(hex, 64))],
    ['doppler-api-token', 'value', p('dp', '.pt.', r(lower + digits, 43))],
    ['huggingface-access-token', 'value', p('h', 'f_', r(upper + lower, 34))],
    ['databricks-api-token', 'comment', p('da', 'pi', r(hex, 32))],
    ['postman-api-token', 'value', p('PM', 'AK-', r(hex, 24), '-', r(hex, 34))],
    ['linear-api-key', 'value', p('lin', '_api_', r(lower + digits, 40))],
    ['grafana-service-account-token', 'add-on value', p('gl', 'sa_', r(alnum, 32), '_', r(hex, 8))],
    ['pulumi-api-token', 'value', p('pu', 'l-', r(hex, 40))],
    ['vault-service-token', 'value', p('hv', 's.', r(dashed, 95))],
    ['age-secret-key', 'comment', p('AGE-SECRET', '-KEY-1', r('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58))],
    ['jwt', 'value', jwt()],
    ['jwt', 'annotation', jwt()],
    ['heroku-api-key-v2', 'value', p('HR', 'KU-AA', r(dashed, 58))],
    ['sentry-user-token', 'value', p('sn', 'tryu_', r(hex, 64))],
    ['prefect-api-token', 'value', p('pn', 'u_', r(alnum, 36))],
    ['rubygems-api-token', 'add-on value', p('ruby', 'gems_', r(hex, 48))],
    ['generic-api-key', 'comment', p('api_', 'key = ', r(alnum, 32))],
    ['generic-api-key', 'add-on value', r(alnum, 40)],
    ['curl-auth-user', 'comment', p('cu', 'rl -', 'u deploy:', r(alnum, 20), ' https://registry.internal/api')],
    ['curl-auth-header', 'comment', p('cu', 'rl -H "Authorization: Bearer ', r(alnum, 40), '" https://registry.internal/api')],
  ];
  return s.map(([format, place, secret]) => ({ format, place, secret }));
}

/** Secrets the render refuses that gitleaks' default rules do not know (no rule, or only under a telling name). */
export function beyondGitleaks(seed = 7): { what: string; secret: string }[] {
  const r = randomOf(seed);
  return [
    { what: 'an AWS secret access key under a neutral name', secret: `${r(alnum, 12)}/${r(alnum, 13)}+${r(alnum, 13)}` },
    { what: 'a URL with a password in it', secret: `postgres://app:${r(alnum, 16)}@db.internal:5432/app` },
  ];
}
