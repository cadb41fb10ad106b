/**
 * The one module that talks to GitHub: open a pull request (REST) and turn on auto-merge (GraphQL, the only API
 * that has it). Configuration comes from the variables GitHub Actions sets.
 */

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
    throw new Error(`--open-pr needs ${missing.join(' and ')} in the environment (GitHub Actions sets GITHUB_REPOSITORY; pass the token as GITHUB_TOKEN)`);
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
}

async function request(config: GithubConfig, url: string, method: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: {
      Authorization: `Bearer ${config.token}`,
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const said = (json as { message?: string } | undefined)?.message ?? text.slice(0, 200);
    const hint =
      response.status === 401
        ? 'check GITHUB_TOKEN'
        : response.status === 403 || response.status === 404
          ? `check that the token may write pull requests in ${config.repository} (workflow permissions: pull-requests: write, contents: write)`
          : response.status === 422
            ? 'a pull request for this branch may already exist, or the branch was not pushed'
            : 'see the message';
    throw new Error(`GitHub answered ${response.status} to ${method} ${url}: ${said}; ${hint}`);
  }
  return json;
}

/** Opens a pull request from `head` into `base`. */
export async function openPullRequest(config: GithubConfig, pr: { title: string; body: string; head: string; base: string }): Promise<PullRequest> {
  const created = (await request(config, `${config.apiUrl}/repos/${config.repository}/pulls`, 'POST', pr)) as {
    number: number;
    html_url: string;
    node_id: string;
  };
  return { number: created.number, url: created.html_url, nodeId: created.node_id };
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
    throw new Error(
      `could not turn on auto-merge for ${pr.url}: ${result.errors.map((e) => e.message).join('; ')} ` +
        `(the repository must allow auto-merge and protect the base branch with required checks)`,
    );
  }
}
