/**
 * Refuses plaintext secrets anywhere in the inputs. Secrets reach pods only through ExternalSecrets; a value that
 * looks like a credential in a committed file is an incident, so the render stops before anything is written.
 *
 * Why no single regular expression over the whole value: an unanchored pattern with an unbounded repetition is
 * retried from every start position, which made a 200 KB value take minutes. The scanner walks each value once:
 * it cuts it into tokens with one pass, tests each token with patterns anchored at its start (sticky, so the engine
 * never retries other positions, and written so that no repetition can backtrack into another), and finds URLs and
 * PEM headers by their fixed markers. Every step is linear in the value's length.
 */
import type { Problem } from '../errors.js';
import type { DataPath, Source } from '../source.js';

/** Names that only ever hold a secret: any non-trivial value under them is refused. */
const secretName = /(pass(word|wd)?|pwd|secret|token|api[-_]?key|private[-_]?key|credentials?|client[-_]?secret)s?$/i;
/** Names that often hold a secret: a high-entropy value under them is refused. */
const secretishName = /key|token|secret|passw|pwd|credential|auth/i;

/** Token patterns, each anchored at the token's start (sticky) and free of nested or adjacent unbounded repeats. */
const tokenPatterns: { pattern: RegExp; what: string }[] = [
  { pattern: /(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}$/y, what: 'an AWS access key id' },
  { pattern: /gh[pousr]_[A-Za-z0-9]{36,255}$/y, what: 'a GitHub token' },
  { pattern: /github_pat_[A-Za-z0-9_]{50,255}$/y, what: 'a GitHub token' },
  { pattern: /glpat-[A-Za-z0-9_-]{20,255}$/y, what: 'a GitLab token' },
  { pattern: /(gldt|glrt|glptt|gloas)-[A-Za-z0-9_-]{20,255}$/y, what: 'a GitLab token' },
  { pattern: /xox[abposr]-[A-Za-z0-9-]{10,255}$/y, what: 'a Slack token' },
  { pattern: /hooks\.slack\.com\/services\/T[A-Za-z0-9]+\/B[A-Za-z0-9]+\/[A-Za-z0-9]+$/y, what: 'a Slack webhook URL' },
  { pattern: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$/y, what: 'a JSON Web Token' },
];

/** Characters a token may hold; anything else separates tokens (spaces, quotes, "=", ":", "@", ",", …). */
function isTokenChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || // 0-9
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    code === 45 ||
    code === 46 ||
    code === 47 ||
    code === 95 ||
    code === 43 // - . / _ +
  );
}

function isSchemeChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 43 || code === 45 || code === 46;
}

/** `scheme://user:password@host`: every "://" is looked at once, and its authority scan stops at the next "/". */
function hasUrlCredentials(value: string): boolean {
  for (let at = value.indexOf('://'); at !== -1; at = value.indexOf('://', at + 3)) {
    if (at === 0 || !isSchemeChar(value.charCodeAt(at - 1))) continue;
    let colon = -1;
    for (let i = at + 3; i < value.length; i++) {
      const c = value[i]!;
      if (c === '/' || c === '?' || c === '#' || c === ' ' || c === '\n' || c === '\t' || c === '\r') break;
      if (c === ':' && colon === -1) colon = i;
      if (c === '@') {
        if (colon !== -1 && colon > at + 3 && i > colon + 1) return true;
        break;
      }
    }
  }
  return false;
}

function hasPrivateKey(value: string): boolean {
  for (let at = value.indexOf('-----BEGIN '); at !== -1; at = value.indexOf('-----BEGIN ', at + 11)) {
    // The label is short ("RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY"): look a bounded way on.
    const end = value.indexOf('-----', at + 11);
    if (end !== -1 && end - at < 64 && value.slice(at + 11, end).endsWith('PRIVATE KEY')) return true;
  }
  return false;
}

/** An AWS secret access key: exactly 40 characters of base64 with upper case, lower case and a digit. */
function isAwsSecretKey(token: string): boolean {
  if (token.length !== 40 || !/^[A-Za-z0-9/+]{40}$/.test(token)) return false;
  return /[A-Z]/.test(token) && /[a-z]/.test(token) && /[0-9]/.test(token);
}

/** Shannon entropy in bits per character: random keys score above 3.5, words and settings well below. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function looksRandom(value: string): boolean {
  const v = value.trim();
  if (v.length < 16 || /\s/.test(v)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(v)).length;
  return classes >= 3 && entropy(v) >= 3.5;
}

/**
 * What kind of secret `value` (found under the key `key`) looks like, or undefined. Linear in the value's length;
 * exported for the benchmark, which times it on a 1 MB value.
 */
export function detectSecret(key: string, value: string): string | undefined {
  if (hasUrlCredentials(value)) return 'a URL with a password in it';
  if (hasPrivateKey(value)) return 'a private key';
  let start = -1;
  for (let i = 0; i <= value.length; i++) {
    const inToken = i < value.length && isTokenChar(value.charCodeAt(i));
    if (inToken && start === -1) start = i;
    else if (!inToken && start !== -1) {
      // Every pattern needs at least 20 characters; shorter tokens are not even copied.
      const found = i - start >= 20 ? classifyToken(value.slice(start, i)) : undefined;
      if (found) return found;
      start = -1;
    }
  }
  const trimmed = value.trim();
  if (trimmed !== '' && !/^(true|false|\d+)$/.test(trimmed) && secretName.test(key)) return `a value under the key '${key}'`;
  if (secretishName.test(key) && looksRandom(value)) return `a random-looking value under the key '${key}'`;
  return undefined;
}

function classifyToken(token: string): string | undefined {
  for (const { pattern, what } of tokenPatterns) {
    pattern.lastIndex = 0;
    if (pattern.test(token)) return what;
  }
  if (isAwsSecretKey(token)) return 'an AWS secret access key';
  return undefined;
}

/** A reviewed exception: the value at `path` of `file` is not a secret, for the reason given. */
export interface SecretException {
  file: string;
  path: string;
}

const secretHint =
  'never commit secrets: store it in the cloud secret store and let an ExternalSecret create the Kubernetes Secret (see README.md, Secrets); a value that is not a secret goes under secrets: in base/exceptions.yaml with a reason';

/** Every place in one input file that holds what looks like a plaintext secret, minus reviewed exceptions. */
export function findPlaintextSecrets(source: Source<unknown>, allowed: readonly SecretException[] = []): Problem[] {
  const problems: Problem[] = [];
  const walk = (value: unknown, path: DataPath) => {
    if (typeof value === 'string') {
      const key = String(path[path.length - 1] ?? '');
      const found = detectSecret(key, value);
      if (found && !allowed.some((a) => a.file === source.file && a.path === path.join('.'))) {
        problems.push({
          file: source.file,
          ...source.locate(path),
          message: `plaintext secret in '${path.join('.')}' (${found})`,
          hint: secretHint,
        });
      }
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(source.value, []);
  return problems;
}
