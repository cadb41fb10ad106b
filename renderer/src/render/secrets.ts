/**
 * Refuses plaintext secrets anywhere in the inputs: values, keys (an env var name, a Helm value's name), and comments.
 * Secrets reach pods only through ExternalSecrets; a credential in a committed file is an incident, so the render
 * stops before anything is written, and no message ever quotes the secret.
 *
 * What it knows is the field's standard: `npm run validate` runs gitleaks (pinned in renderer/pins.json) with its
 * default rules over the same files, and `renderer/test/render/secret-corpus.test.ts` proves on a corpus of fake
 * secrets that this scanner refuses everything gitleaks finds there. The rules here are written for this scanner, not
 * copied: provider formats by their fixed prefixes, an assignment rule (a name saying key, token, secret, password…,
 * an operator, a random-looking value), AWS secret keys, passwords in URLs, PEM private keys, and every base64, hex,
 * percent or \u-escaped run decoded and scanned again, as gitleaks does.
 *
 * Why no single regular expression over the whole value: an unanchored pattern with an unbounded repetition is
 * retried from every start position, which made a 200 KB value take minutes. Every step here is linear in the text's
 * length: prefixes are found with indexOf and tested with sticky patterns of bounded length, runs of characters are
 * cut in one pass, the assignment rule looks back a bounded distance from each operator, and decoding is bounded in
 * depth and never grows the text.
 */
import { Lexer } from 'yaml';
import type { Problem } from '../errors.js';
import type { DataPath, Source } from '../source.js';

/** A secret found in a text: what it looks like and where it is (an encoded secret spans its encoded form). */
interface SecretMatch {
  what: string;
  start: number;
  end: number;
}

/** A provider's format: a fixed prefix, then a pattern of bounded length (sticky, tested where the prefix starts). */
interface FormatRule {
  prefix: string;
  pattern: RegExp;
  what: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `[what, prefixes, what follows each prefix]`; the shortest form each provider issues, so longer ones match too. */
const formats: [string, string[], string][] = [
  ['an AWS access key id', ['AKIA', 'ASIA', 'ABIA', 'ACCA'], '[A-Z0-9]{16}'],
  ['an AWS access key id', ['A3T'], '[A-Z0-9]{17}'],
  ['an Amazon Bedrock API key', ['ABSK'], '[A-Za-z0-9+/]{109}'],
  ['a GitHub token', ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], '[A-Za-z0-9]{36}'],
  ['a GitHub token', ['github_pat_'], '\\w{22}'],
  ['a GitLab token', ['glpat-', 'glrt-', 'gldt-', 'glft-', 'glcbt-', 'glffct-', 'glsoat-', 'gloas-', 'GR1348941'], '[\\w-]{20}'],
  ['a GitLab token', ['glptt-'], '[0-9a-f]{40}'],
  ['a GitLab token', ['glimt-'], '[\\w-]{25}'],
  ['a GitLab token', ['glagent-'], '[\\w-]{50}'],
  ['a GitLab session cookie', ['_gitlab_session='], '[0-9a-z]{32}'],
  ['a Slack token', ['xoxa', 'xoxb', 'xoxe', 'xoxo', 'xoxp', 'xoxr', 'xoxs'], '[.-][A-Za-z0-9.-]{8}'],
  ['a Slack token', ['xapp-'], '\\d-[A-Za-z0-9-]{8}'],
  ['a Slack webhook URL', ['hooks.slack.com/'], '(?:services|workflows|triggers)/[A-Za-z0-9+/]{20}'],
  ['a Microsoft Teams webhook URL', ['.webhook.office.com/webhookb2/'], '[\\w@/-]{40}'],
  ['a Stripe secret key', ['sk_', 'rk_'], '(?:test|live|prod)_[A-Za-z0-9]{10}'],
  ['a Google API key', ['AIza'], '[\\w-]{35}'],
  ['an OpenAI API key', ['sk-'], '(?:(?:proj|svcacct|admin)-[\\w-]{58}|[A-Za-z0-9]{20}T3BlbkFJ)'],
  ['an Anthropic API key', ['sk-ant-'], '(?:api|admin)\\d\\d-[\\w-]{20}'],
  ['an npm token', ['npm_'], '[A-Za-z0-9]{36}'],
  ['a PyPI upload token', ['pypi-AgEIcHlwaS5vcmc'], '[\\w-]{50}'],
  ['a RubyGems API key', ['rubygems_'], '[a-f0-9]{48}'],
  ['a Clojars token', ['CLOJARS_'], '[a-z0-9]{60}'],
  ['a Heroku API key', ['HRKU-AA'], '[\\w-]{58}'],
  ['a SendGrid API key', ['SG.'], '[\\w=.-]{66}'],
  ['a Sendinblue API key', ['xkeysib-'], '[a-f0-9]{64}-[a-z0-9]{16}'],
  ['a Twilio API key', ['SK'], '[0-9a-fA-F]{32}'],
  ['a Shopify token', ['shpat_', 'shpca_', 'shppa_', 'shpss_'], '[a-fA-F0-9]{32}'],
  ['a Square token', ['sq0atp-'], '[\\w-]{22}'],
  ['a Square token', ['sq0csp-'], '[\\w-]{43}'],
  ['a Square token', ['EAAA'], '[\\w+=-]{60}'],
  ['a Facebook access token', ['EAAC', 'EAAM'], '[A-Za-z0-9]{100}'],
  ['a DigitalOcean token', ['dop_v1_', 'doo_v1_', 'dor_v1_'], '[a-f0-9]{64}'],
  ['a Doppler token', ['dp.pt.'], '[A-Za-z0-9]{43}'],
  ['a Hugging Face token', ['hf_', 'api_org_'], '[A-Za-z]{34}'],
  ['a Databricks token', ['dapi'], '[a-f0-9]{32}'],
  ['a Postman API key', ['PMAK-'], '[a-fA-F0-9]{24}-[a-fA-F0-9]{34}'],
  ['a Linear API key', ['lin_api_'], '[A-Za-z0-9]{40}'],
  ['a Grafana token', ['glc_'], '[A-Za-z0-9+/]{32}'],
  ['a Grafana token', ['glsa_'], '[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}'],
  ['a Grafana token', ['eyJrIjoi'], '[A-Za-z0-9]{70}'],
  ['a Pulumi token', ['pul-'], '[a-f0-9]{40}'],
  ['a HashiCorp Vault token', ['hvs.'], '[\\w-]{90}'],
  ['a HashiCorp Vault token', ['hvb.'], '[\\w-]{138}'],
  ['a Terraform Cloud token', ['.atlasv1.'], '[\\w=-]{60}'],
  ['an age secret key', ['AGE-SECRET-KEY-1'], '[0-9A-Z]{58}'],
  ['a Sentry token', ['sntrys_eyJ'], '[A-Za-z0-9+/=_-]{20}'],
  ['a Sentry token', ['sntryu_'], '[a-f0-9]{64}'],
  ['a New Relic key', ['NRAK-'], '[A-Za-z0-9]{27}'],
  ['a New Relic key', ['NRJS-'], '[a-f0-9]{19}'],
  ['a New Relic key', ['NRII-'], '[\\w-]{32}'],
  ['an Atlassian API token', ['ATATT3'], '[\\w=-]{186}'],
  ['a Mailgun key', ['key-'], '[a-f0-9]{32}'],
  ['a Cloudflare origin CA key', ['v1.0-'], '[a-f0-9]{24}-[a-f0-9]{146}'],
  ['a 1Password token', ['ops_eyJ'], '[A-Za-z0-9+/]{250}'],
  ['a Dynatrace token', ['dt0c01.'], '[A-Za-z0-9]{24}\\.[A-Za-z0-9]{64}'],
  ['an EasyPost key', ['EZAK', 'EZTK'], '[A-Za-z0-9]{54}'],
  ['a Fly.io token', ['fo1_', 'fm1a_', 'fm1r_', 'fm2_'], '[\\w+/=-]{43}'],
  ['a Frame.io token', ['fio-u-'], '[\\w=-]{64}'],
  ['an Infracost token', ['ico-'], '[A-Za-z0-9]{32}'],
  ['a Notion token', ['ntn_'], '\\d{11}[A-Za-z0-9]{35}'],
  ['an Octopus Deploy key', ['API-'], '[A-Z0-9]{26}'],
  ['a Prefect token', ['pnu_'], '[A-Za-z0-9]{36}'],
  ['a ReadMe token', ['rdme_'], '[a-z0-9]{70}'],
  ['a Scalingo token', ['tk-us-'], '[\\w-]{48}'],
  ['a Shippo token', ['shippo_live_', 'shippo_test_'], '[a-fA-F0-9]{40}'],
  ['a Duffel token', ['duffel_live_', 'duffel_test_'], '[\\w=-]{43}'],
  ['a PlanetScale credential', ['pscale_tkn_', 'pscale_pw_', 'pscale_oauth_'], '[\\w=.-]{32}'],
  ['a Perplexity API key', ['pplx-'], '[A-Za-z0-9]{48}'],
  ['a Typeform token', ['tfp_'], '[\\w=.-]{59}'],
  ['a SettleMint token', ['sm_pat_', 'sm_aat_', 'sm_sat_'], '[A-Za-z0-9]{16}'],
  ['an Artifactory key', ['AKCp'], '[A-Za-z0-9]{69}'],
  ['an Artifactory token', ['cmVmd'], '[A-Za-z0-9]{59}'],
  ['an OpenShift token', ['sha256~'], '[\\w-]{43}'],
  ['a Dropbox token', ['sl.'], '[\\w=-]{135}'],
  ['a Flutterwave key', ['FLWSECK_TEST-', 'FLWSECK-', 'FLWPUBK_TEST-', 'FLWPUBK-'], '[a-hA-H0-9]{12}'],
  ['an Adobe client secret', ['p8e-'], '[A-Za-z0-9]{32}'],
  ['an Alibaba Cloud access key id', ['LTAI'], '[A-Za-z0-9]{20}'],
  ['a Defined Networking token', ['dnkey-'], '[\\w=-]{26}-[\\w=-]{52}'],
  ['an Azure storage account key', ['AccountKey='], '[A-Za-z0-9+/]{40}'],
  ['an Azure shared access key', ['SharedAccessKey='], '[A-Za-z0-9+/]{40}'],
];

const formatRules: FormatRule[] = formats.flatMap(([what, prefixes, rest]) =>
  prefixes.map((prefix) => ({ prefix, pattern: new RegExp(`${escapeRegExp(prefix)}${rest}`, 'y'), what })),
);

/** An Azure AD client secret: three characters, a digit and `Q~` (found by that marker), then 31 or more. */
const azureClientSecret = /[\w~.]{3}\dQ~[\w~.-]{31}/y;

/** The format rules by the first character of their prefix: one pass over a text looks only at rules that can start. */
const rulesByFirst = new Map<number, FormatRule[]>();
for (const rule of formatRules) rulesByFirst.set(rule.prefix.charCodeAt(0), [...(rulesByFirst.get(rule.prefix.charCodeAt(0)) ?? []), rule]);

function findFormats(text: string, out: SecretMatch[]): void {
  const found = new Set<FormatRule>();
  for (let at = 0; at < text.length; at++) {
    const rules = rulesByFirst.get(text.charCodeAt(at));
    if (!rules) continue;
    for (const rule of rules) {
      if (found.has(rule) || !text.startsWith(rule.prefix, at)) continue;
      rule.pattern.lastIndex = at;
      if (rule.pattern.test(text)) {
        out.push({ what: rule.what, start: at, end: rule.pattern.lastIndex });
        found.add(rule);
      }
    }
  }
  for (let at = text.indexOf('Q~'); at !== -1; at = text.indexOf('Q~', at + 2)) {
    if (at < 4) continue;
    azureClientSecret.lastIndex = at - 4;
    if (azureClientSecret.test(text)) {
      out.push({ what: 'an Azure AD client secret', start: at - 4, end: azureClientSecret.lastIndex });
      break;
    }
  }
}

const isWordCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isAlnum = (c: number) => isWordCode(c) && c !== 95;

/**
 * Runs of the characters `inRun` accepts, as [start, end) pairs, in one pass. The callers use different alphabets
 * (a token, base64, hex), so each cut is its own pass over the text.
 */
function runs(text: string, inRun: (code: number) => boolean, minLength: number): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const inside = i < text.length && inRun(text.charCodeAt(i));
    if (inside && start === -1) start = i;
    else if (!inside && start !== -1) {
      if (i - start >= minLength) out.push([start, i]);
      start = -1;
    }
  }
  return out;
}

const isBase64Code = (c: number) => isWordCode(c) || c === 43 || c === 47 || c === 45; // + / -
const isStdBase64Code = (c: number) => isAlnum(c) || c === 43 || c === 47; // + /
const isHexCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isEscapedCode = (c: number) => c > 32 && c !== 34 && c !== 39 && c !== 96; // not space, " ' `
const isJwtCode = (c: number) => isWordCode(c) || c === 46 || c === 47 || c === 92 || c === 45; // . / \ -

/** An AWS secret access key: exactly 40 characters of base64 with upper case, lower case and a digit. */
function findAwsSecretKeys(text: string, out: SecretMatch[]): void {
  for (const [start, end] of runs(text, isStdBase64Code, 40)) {
    if (end - start !== 40) continue;
    const run = text.slice(start, end);
    if (/[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run)) return void out.push({ what: 'an AWS secret access key', start, end });
  }
}

/** A JSON Web Token: `ey` + 17 or more letters and digits, `.ey` + 17 or more, then a `.`. */
function findJwts(text: string, out: SecretMatch[]): void {
  for (const [start, end] of runs(text, isJwtCode, 40)) {
    const parts = text.slice(start, end).split('.');
    let offset = start;
    for (let i = 0; i + 2 < parts.length; i++) {
      const head = parts[i]!;
      const at = head.lastIndexOf('ey');
      const tail = head.slice(at);
      const boundary = at === 0 || !isWordCode(head.charCodeAt(at - 1));
      if (at !== -1 && boundary && tail.length >= 19 && /^[A-Za-z0-9]+$/.test(tail) && /^ey[\w/\\-]{17}/.test(parts[i + 1]!)) {
        out.push({ what: 'a JSON Web Token', start: offset + at, end: offset + head.length + 1 + parts[i + 1]!.length });
        return;
      }
      offset += head.length + 1;
    }
  }
}

function isSchemeChar(code: number): boolean {
  return isAlnum(code) || code === 43 || code === 45 || code === 46;
}

/** `scheme://user:password@host`: every "://" is looked at once, and its authority scan stops at the next "/". */
function findUrlCredentials(text: string, out: SecretMatch[]): void {
  for (let at = text.indexOf('://'); at !== -1; at = text.indexOf('://', at + 3)) {
    if (at === 0 || !isSchemeChar(text.charCodeAt(at - 1))) continue;
    let colon = -1;
    for (let i = at + 3; i < text.length; i++) {
      const c = text[i]!;
      if (c === '/' || c === '?' || c === '#' || c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '"' || c === "'") break;
      if (c === ':' && colon === -1) colon = i;
      if (c === '@') {
        if (colon !== -1 && colon > at + 3 && i > colon + 1) return void out.push({ what: 'a URL with a password in it', start: colon + 1, end: i });
        break;
      }
    }
  }
}

function findPrivateKeys(text: string, out: SecretMatch[]): void {
  for (let at = text.indexOf('-----BEGIN'); at !== -1; at = text.indexOf('-----BEGIN', at + 10)) {
    // The label is short ("RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY"): look a bounded way on.
    const end = text.indexOf('-----', at + 10);
    if (end !== -1 && end - at < 120 && /PRIVATE KEY( BLOCK)?$/.test(text.slice(at + 10, end))) return void out.push({ what: 'a private key', start: at, end: end + 5 });
  }
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

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const commitSha = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A path, name or address made of words: lower-case segments, or digits, between / . - _ : (`berrys/staging/db`). */
const wordPath = /^[a-z]+\d{0,4}(?:[/.\-_:]+(?:[a-z]+\d{0,4}|\d{1,4}))*[/.\-_:]*$/;
/** The two shapes of an assigned value gitleaks' generic rule reads: a name-like run, or base64. */
const valueShape = /^(?:[\w.=-]+|[A-Za-z0-9][A-Za-z0-9+/]*=*)$/;

/**
 * Whether an assigned value is a credential: long enough, random enough, not a plain word, path, commit SHA or UUID.
 * The threshold is gitleaks' generic rule's (3.5 bits per character); its long word lists of harmless values are not
 * copied: a value made of lower-case words passes instead.
 */
function isRandomValue(value: string): boolean {
  if (value.length < 10 || !valueShape.test(value) || /^[A-Za-z_.-]+$/.test(value) || uuid.test(value) || commitSha.test(value) || wordPath.test(value)) return false;
  return entropy(value) >= 3.5;
}

/** Words in a name that say the value is a credential (gitleaks' generic rule looks for the same ones). */
const credentialWords = ['access', 'auth', 'api', 'credential', 'creds', 'key', 'passwd', 'password', 'pwd', 'secret', 'token'];
const isValueCode = (c: number) => isWordCode(c) || c === 46 || c === 61 || c === 45 || c === 43 || c === 47 || c === 126; // . = - + / ~
const isNameGapCode = (c: number) => isWordCode(c) || c === 32 || c === 9 || c === 46 || c === 45; // [ \t\w.-]
const isOperatorCode = (c: number) => c === 61 || c === 58 || c === 62 || c === 44 || c === 124; // = : > , |

/** Whether a credential word ends at `end` (case-insensitive). */
function credentialWordEndsAt(lower: string, end: number): boolean {
  return credentialWords.some((w) => end >= w.length && lower.startsWith(w, end - w.length));
}

/**
 * `name <op> value` where the name holds a credential word: `api_key = …`, `AccountKey=…`, `"token": "…"`,
 * `--password …` is not (no operator). From each operator it looks back at most 3 quote or space characters and 20
 * name characters for the word, then on at most 5 quotes, spaces or `=` for the value.
 */
function findAssignments(text: string, out: SecretMatch[]): void {
  let lower: string | undefined;
  const operators = /[=:>,|]/g;
  for (let op = operators.exec(text); op !== null; op = operators.exec(text)) {
    const i = op.index;
    lower ??= text.toLowerCase();
    let j = i;
    for (let q = 0; q < 3 && j > 0 && /[\s'"]/.test(text[j - 1]!); q++) j--;
    let named = false;
    for (let k = 0; k <= 20 && j - k > 0; k++) {
      if (credentialWordEndsAt(lower, j - k)) {
        named = true;
        break;
      }
      if (!isNameGapCode(text.charCodeAt(j - k - 1))) break;
    }
    if (!named) continue;
    let v = i + 1;
    while (v < text.length && isOperatorCode(text.charCodeAt(v)) && v - i < 4) v++;
    for (let q = 0; q < 5 && v < text.length && /[`'"\s=]/.test(text[v]!); q++) v++;
    let end = v;
    while (end < text.length && isValueCode(text.charCodeAt(end))) end++;
    const value = text.slice(v, end);
    if (isRandomValue(value)) return void out.push({ what: 'a credential assigned to a name that says so', start: v, end });
    operators.lastIndex = Math.max(i + 1, end);
  }
}

/** `Authorization: Bearer …`, `curl -u user:password`: credentials in a command line or a header. */
function findHeaderCredentials(text: string, out: SecretMatch[]): void {
  for (const scheme of ['Bearer ', 'Basic ', 'Token ']) {
    for (let at = text.indexOf(scheme); at !== -1; at = text.indexOf(scheme, at + 1)) {
      let end = at + scheme.length;
      while (end < text.length && isValueCode(text.charCodeAt(end))) end++;
      const value = text.slice(at + scheme.length, end);
      if (value.length >= 8 && entropy(value) >= 2.75 && !/^[A-Za-z]+$/.test(value))
        return void out.push({ what: 'a credential in an Authorization header', start: at + scheme.length, end });
    }
  }
  if (!text.includes('curl')) return;
  const user = /(?:^|\s)(?:-u|--user)(?:=|[ \t]{0,5})["']?([^\s"':]{3,}:[^\s"']{3,})/g;
  const m = user.exec(text);
  if (m) {
    const start = m.index + m[0].length - m[1]!.length;
    out.push({ what: 'a user and password on a curl command line', start, end: start + m[1]!.length });
  }
}

/** Bytes that gitleaks' decoder accepts as text: tab to `~`. */
function printable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 9 || c > 126) return false;
  }
  return true;
}

/**
 * Encoded runs decoded to text, as gitleaks does (base64, hex, percent and \u escapes): only what decodes to
 * printable ASCII is kept, so a random key or a hash decodes to nothing.
 */
function decodedRuns(text: string): { start: number; end: number; text: string; how: string }[] {
  const out: { start: number; end: number; text: string; how: string }[] = [];
  for (const [start, end] of runs(text, isBase64Code, 16)) {
    let stop = end;
    while (stop < text.length && stop < end + 2 && text[stop] === '=') stop++;
    const run = text.slice(start, stop);
    // A run of letters alone is a word more often than base64; gitleaks asks for a digit or + / - _ too.
    if (!/[0-9+/_-]/.test(run)) continue;
    const decoded = Buffer.from(run, /[-_]/.test(run) ? 'base64url' : 'base64').toString('latin1');
    if (decoded.length > 0 && printable(decoded)) out.push({ start, end: stop, text: decoded, how: 'base64' });
  }
  for (const [start, end] of runs(text, isHexCode, 32)) {
    const run = text.slice(start, end);
    if ((end - start) % 2 !== 0 || !/[0-9]/.test(run)) continue;
    const decoded = Buffer.from(run, 'hex').toString('latin1');
    if (printable(decoded)) out.push({ start, end, text: decoded, how: 'hex' });
  }
  // Escapes are decoded per run of text between spaces and quotes, so a finding is placed on its own run.
  for (const [start, end] of runs(text, isEscapedCode, 6)) {
    const run = text.slice(start, end);
    const decoded = run
      .replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\u([0-9A-Fa-f]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    if (decoded !== run) out.push({ start, end, text: decoded, how: 'escaped' });
  }
  return out;
}

/** Decoding depth: a secret base64-encoded twice is still found; each level's text is shorter than the last. */
const maxDecodeDepth = 3;

/**
 * Secrets in `text` by format alone (no name around it), including encoded ones: the first of each kind, which is
 * enough to refuse the text (a text of a million AWS-key-like runs must not make a million matches). Linear in its
 * length.
 */
function findSecretsInText(text: string, depth = 0): SecretMatch[] {
  // Nothing the scanner knows is shorter (a URL with a password is the shortest: `a://b:c@`).
  if (text.length < 8) return [];
  const specific: SecretMatch[] = [];
  findFormats(text, specific);
  findAwsSecretKeys(text, specific);
  findJwts(text, specific);
  findUrlCredentials(text, specific);
  findPrivateKeys(text, specific);
  if (depth < maxDecodeDepth) {
    for (const run of decodedRuns(text)) {
      const inner = findSecretsInText(run.text, depth + 1);
      if (inner.length > 0) {
        specific.push({ what: `${inner[0]!.what} (${run.how})`, start: run.start, end: run.end });
        break;
      }
    }
  }
  const generic: SecretMatch[] = [];
  findAssignments(text, generic);
  findHeaderCredentials(text, generic);
  // One match per place: a provider's format says more than a name, so a generic match only counts where no
  // specific one is; among overlapping matches of one kind, the first (and longest).
  const kept = disjoint(specific);
  let next = 0;
  const free = disjoint(generic).filter((m) => {
    while (next < kept.length && kept[next]!.end <= m.start) next++;
    return next === kept.length || kept[next]!.start >= m.end;
  });
  return [...kept, ...free].sort((a, b) => a.start - b.start);
}

function disjoint(matches: SecretMatch[]): SecretMatch[] {
  let end = -1;
  return matches
    .sort((a, b) => a.start - b.start || b.end - a.end)
    .filter((m) => {
      if (m.start < end) return false;
      end = m.end;
      return true;
    });
}

/** Names that only ever hold a secret: any non-trivial value under them is refused. */
const secretName = /(pass(word|wd)?|pwd|secret|token|api[-_]?key|private[-_]?key|credentials?|client[-_]?secret)s?$/i;
/** Names that often hold a secret: a high-entropy value under them is refused. */
const secretishName = /key|token|secret|passw|pwd|credential|auth/i;

function looksRandom(value: string): boolean {
  const v = value.trim();
  if (v.length < 16 || /\s/.test(v) || uuid.test(v) || commitSha.test(v)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(v)).length;
  return classes >= 3 && entropy(v) >= 3.5;
}

/**
 * What kind of secret `value` (found under the key `key`) looks like, or undefined. The key is context, as the
 * name before `=` is for gitleaks: `key: value` is scanned as one line. Linear in the value's length; exported for the
 * benchmark, which times it on a 1 MB value.
 */
export function detectSecret(key: string, value: string): string | undefined {
  const found = findSecretsInText(value);
  if (found.length > 0) return found[0]!.what;
  // The key gives the value a name only when it holds a credential word (the assignment rule's condition).
  const named = credentialWords.some((w) => key.toLowerCase().includes(w));
  if (named && findSecretsInText(key).length === 0 && findSecretsInText(`${key}: ${value}`).length > 0) return `a random-looking value under the key '${key}'`;
  const trimmed = value.trim();
  if (trimmed !== '' && !/^(true|false|\d+)$/.test(trimmed) && secretName.test(key)) return `a value under the key '${key}'`;
  if (secretishName.test(key) && looksRandom(value)) return `a random-looking value under the key '${key}'`;
  return undefined;
}

/**
 * `text` with every secret the scanner finds replaced by `<redacted>`, for messages that quote input.
 * @public called through render.ts's lazy import of the stages, which knip cannot follow
 */
export function redactSecrets(text: string): string {
  let out = '';
  let rest = text;
  for (let m = findSecretsInText(rest)[0]; m !== undefined; m = findSecretsInText(rest)[0]) {
    out += `${rest.slice(0, m.start)}<redacted>`;
    rest = rest.slice(m.end);
  }
  return out + rest;
}

/** A reviewed exception: the value at `path` of `file` is not a secret, for the reason given. */
export interface SecretException {
  file: string;
  path: string;
}

const secretHint =
  'never commit secrets: store it in the cloud secret store and let an ExternalSecret create the Kubernetes Secret (see README.md, Secrets); a value that is not a secret goes under secrets: in base/exceptions.yaml with a reason';
const nameHint = 'a name is printed in logs and diffs and cannot be excepted: rename it, and rotate the secret it held (see README.md, Secrets)';

/**
 * Every place in one input file that holds what looks like a plaintext secret, minus reviewed exceptions: values
 * (with their key as context), keys, and a Kubernetes Secret written out in a value. A key that is itself a secret is
 * never printed: the path names its parent.
 */
export function findPlaintextSecrets(source: Source<unknown>, allowed: readonly SecretException[] = []): Problem[] {
  const problems: Problem[] = [];
  const at = (path: DataPath, message: string, hint: string, key = false) => problems.push({ file: source.file, ...source.locate(path, key), message, hint });
  const walk = (value: unknown, path: DataPath) => {
    if (typeof value === 'string') {
      const key = String(path[path.length - 1] ?? '');
      const found = detectSecret(key, value);
      if (found && !allowed.some((a) => a.file === source.file && a.path === path.join('.'))) at(path, `plaintext secret in '${path.join('.')}' (${found})`, secretHint);
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.kind === 'Secret' && (record.data || record.stringData))
        at(path, `plaintext secret in '${path.join('.')}' (a Kubernetes Secret with its data written out)`, secretHint);
      for (const [k, v] of Object.entries(record)) {
        const inKey = findSecretsInText(k);
        if (inKey.length > 0) at([...path, k], `plaintext secret in a key of '${path.join('.')}' (${inKey[0]!.what})`, nameHint, true);
        else walk(v, [...path, k]);
      }
    }
  };
  walk(source.value, []);
  return problems;
}

/**
 * Secrets in the comments of one YAML input file, or anywhere in another text file the render reads (a template).
 * Values and keys are `findPlaintextSecrets`' job; a comment is found by the YAML lexer, so a `#` inside a value is
 * not one. Lines without `#` cost nothing, and the lexer runs only on a file where some text after a `#` is flagged.
 * @public called through render.ts's lazy import of the stages, which knip cannot follow
 */
export function findSecretsInComments(file: string, text: string): Problem[] {
  if (!file.endsWith('.yaml')) return matchesAt(file, text, 0, findSecretsInText(text), 'a template');
  if (!text.split('\n').some((line) => line.includes('#') && findSecretsInText(line.slice(line.indexOf('#'))).length > 0)) return [];
  const problems: Problem[] = [];
  let offset = 0;
  let scalarNext = false;
  for (const token of new Lexer().lex(text)) {
    // The lexer marks a document start (\x02), a flow error end (\x18) and the next token being a scalar (\x1f); the
    // markers are not in the text.
    if (token === '\x02' || token === '\x18' || token === '\x1f') {
      scalarNext = token === '\x1f';
      continue;
    }
    if (token.startsWith('#') && !scalarNext) problems.push(...matchesAt(file, text, offset, findSecretsInText(token), 'a comment'));
    scalarNext = false;
    offset += token.length;
  }
  return problems;
}

function matchesAt(file: string, text: string, offset: number, matches: SecretMatch[], where: string): Problem[] {
  return matches.map((m) => {
    const before = text.slice(0, offset + m.start);
    const line = before.split('\n').length;
    return {
      file,
      line,
      col: before.length - before.lastIndexOf('\n'),
      message: `plaintext secret in ${where} (${m.what})`,
      hint: `delete it from ${where} and rotate the secret (see README.md, Secrets); ${where === 'a comment' ? 'comments' : 'templates'} cannot be excepted`,
    };
  });
}
