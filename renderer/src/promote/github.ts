/**
 * The one module that talks to GitHub: open a pull request (REST) and turn on auto-merge (GraphQL, the only API
 * that has it). Configuration comes from the variables GitHub Actions sets. Every refusal is a HintedError saying
 * what to do.
 */
import { HintedError } from '../errors.js';

export interface GithubConfig {
  token: string;
  /** owner/name */
  repository: string;
  apiUrl: string;
  graphqlUrl: string;
}

/** Reads GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL (default https://api.github.com); throws what is missing. */
export function githubConfig(env: NodeJS.ProcessEnv): GithubConfig {
  const missing = ['GITHUB_TOKEN', 'GITHUB_REPOSITORY'].filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    throw new HintedError(
      `--open-pr needs ${missing.join(' and ')} in the environment`,
      'set GITHUB_REPOSITORY to owner/name (GitHub Actions sets it) and GITHUB_TOKEN to a token that may write contents and pull requests there',
    );
  }
  const apiUrl = (env.GITHUB_API_URL?.trim() || 'https://api.github.com').replace(/\/+$/, '');
  return {
    token: env.GITHUB_TOKEN!.trim(),
    repository: env.GITHUB_REPOSITORY!.trim(),
    apiUrl,
    graphqlUrl: (env.GITHUB_GRAPHQL_URL?.trim() || `${apiUrl}/graphql`).replace(/\/+$/, ''),
  };
}

export interface PullRequest {
  number: number;
  url: string;
  nodeId: string;
  /** Found open already (a run again after a failure), not opened by this call. */
  existing?: boolean;
}

/** What GitHub said about a refused request: its message and, for 422, each validation error. */
function said(json: unknown, text: string): string {
  const body = json as { message?: string; errors?: { message?: string; field?: string; code?: string }[] } | undefined;
  if (body?.message === undefined) return text.slice(0, 200) || '(no message)';
  const details = (body.errors ?? []).map((e) => e.message ?? [e.field, e.code].filter(Boolean).join(' '));
  return [body.message, ...details].join('; ');
}

/** What to do about a refused request, by status. */
function whatToDo(config: GithubConfig, status: number): string | undefined {
  const write = `the token must be allowed to write pull requests and contents in ${config.repository} (a fine-grained token or GitHub App: pull-requests: write, contents: write)`;
  if (status === 401) return 'GITHUB_TOKEN is not a valid token (expired or revoked?); set a current one';
  if (status === 403) return write;
  if (status === 404) return `check GITHUB_REPOSITORY (${config.repository}): GitHub answers 404 for a repository that does not exist or that the token cannot see; ${write}`;
  if (status === 422) return "check that the pull request's base branch exists on GitHub and that the branch has commits it does not";
  if (status >= 500) return 'GitHub could not answer; try again in a few minutes (www.githubstatus.com)';
  return undefined;
}

async function request(config: GithubConfig, url: string, method: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${config.token}`,
        Accept: 'application/vnd.github+json',
        'X-GitHub-Api-Version': '2022-11-28',
        'Content-Type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new HintedError(
      `could not reach GitHub: ${method} ${url} failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
      `check GITHUB_API_URL (${config.apiUrl}) and the network`,
    );
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) throw new GithubRefusal(response.status, `GitHub answered ${response.status} to ${method} ${url}: ${said(json, text)}`, whatToDo(config, response.status));
  return json;
}

class GithubRefusal extends HintedError {
  override name = 'GithubRefusal';
  constructor(
    readonly status: number,
    reason: string,
    hint: string | undefined,
  ) {
    super(reason, hint);
  }
}

interface PullJson {
  number: number;
  html_url: string;
  node_id: string;
}

const pullRequestOf = (pr: PullJson, existing: boolean): PullRequest => ({ number: pr.number, url: pr.html_url, nodeId: pr.node_id, ...(existing ? { existing } : {}) });

/**
 * Opens a pull request from `head` into `base`. When one is open already (GitHub answers 422 "A pull request already
 * exists", as on a run again after a failed auto-merge), that one is returned, marked `existing`.
 */
export async function openPullRequest(config: GithubConfig, pr: { title: string; body: string; head: string; base: string }): Promise<PullRequest> {
  const pulls = `${config.apiUrl}/repos/${config.repository}/pulls`;
  try {
    return pullRequestOf((await request(config, pulls, 'POST', pr)) as PullJson, false);
  } catch (err) {
    if (!(err instanceof GithubRefusal && err.status === 422 && /already exists/i.test(err.reason))) throw err;
    const owner = config.repository.split('/')[0]!;
    const query = new URLSearchParams({ head: `${owner}:${pr.head}`, base: pr.base, state: 'open' });
    const [open] = (await request(config, `${pulls}?${query}`, 'GET')) as PullJson[];
    if (!open) throw err;
    return pullRequestOf(open, true);
  }
}

/**
 * Turns on auto-merge (squash) so the pull request merges itself once the required checks pass. The repository must
 * allow auto-merge (Settings → General → Allow auto-merge) and protect the base branch with required checks.
 */
export async function enableAutoMerge(config: GithubConfig, pr: PullRequest): Promise<void> {
  const query = 'mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: SQUASH }) { clientMutationId } }';
  const result = (await request(config, config.graphqlUrl, 'POST', { query, variables: { id: pr.nodeId } })) as {
    errors?: { message: string }[];
  };
  if (result?.errors?.length) {
    throw new HintedError(
      `could not turn on auto-merge for ${pr.url}: ${result.errors.map((e) => e.message).join('; ')}`,
      'the repository must allow auto-merge (Settings → General → Allow auto-merge) and protect the base branch with required checks',
    );
  }
}
