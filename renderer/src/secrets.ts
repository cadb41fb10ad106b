/**
 * Refuses plaintext secrets anywhere in the inputs. Secrets reach pods only through ExternalSecrets; a value that
 * looks like a credential in a committed file is an incident, so the render stops before anything is written.
 */
import type { Problem } from './errors.js';
import type { DataPath, Source } from './source.js';

const secretKeyName = /(pass(word|wd)?|secret|token|api[-_]?key|private[-_]?key|credential)s?$/i;
const valuePatterns: { pattern: RegExp; what: string }[] = [
  { pattern: /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i, what: 'a URL with a password in it' },
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: 'a private key' },
  { pattern: /\bAKIA[0-9A-Z]{16}\b/, what: 'an AWS access key id' },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, what: 'a GitHub token' },
  { pattern: /\bxox[abpr]-[A-Za-z0-9-]{10,}/, what: 'a Slack token' },
];

/** Every place in one input file that holds what looks like a plaintext secret. */
export function findPlaintextSecrets(source: Source<unknown>): Problem[] {
  const problems: Problem[] = [];
  const walk = (value: unknown, path: DataPath) => {
    if (typeof value === 'string') {
      const key = String(path[path.length - 1] ?? '');
      const found = valuePatterns.find((p) => p.pattern.test(value));
      const byName = secretKeyName.test(key) && value.trim() !== '' && !/^(true|false|\d+)$/.test(value);
      if (found || byName) {
        problems.push({
          file: source.file,
          ...source.locate(path),
          message: `plaintext secret in '${path.join('.')}' (${found ? found.what : `a value under the key '${key}'`})`,
          hint: 'never commit secrets: store it in the cloud secret store and let an ExternalSecret create the Kubernetes Secret (see README.md, Secrets)',
        });
      }
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(source.value, []);
  return problems;
}
