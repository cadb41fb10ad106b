/**
 * A stand-in for GitHub's API on 127.0.0.1 (real node:http, real sockets) for `--open-pr`: it records every request
 * and answers what the test's `answer` says. `env` is what release, promote and rollback read to find it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GithubRequest {
  method: string;
  /** Path with query. */
  url: string;
  auth: string;
  body: unknown;
}

export interface FakeGithub {
  env: NodeJS.ProcessEnv;
  requests: GithubRequest[];
  close(): Promise<void>;
}

/** A token and repository for the stand-in, and an API URL where nothing listens (for "could not reach"). */
export const githubEnv = (apiUrl: string): NodeJS.ProcessEnv => ({ GITHUB_TOKEN: 'ghs_test', GITHUB_REPOSITORY: 'berrys/gitops', GITHUB_API_URL: apiUrl });

const servers: FakeGithub[] = [];

/** Closes every stand-in; call from afterAll. */
export async function closeGithubs(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

/** `answer` gives status and JSON body for each request. */
export async function fakeGithub(answer: (req: GithubRequest) => [number, unknown]): Promise<FakeGithub> {
  const requests: GithubRequest[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const seen = { method: req.method!, url: req.url!, auth: req.headers.authorization ?? '', body: text ? JSON.parse(text) : undefined };
      requests.push(seen);
      const [status, body] = answer(seen);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeGithub = {
    env: githubEnv(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

/** A pull request as GitHub returns it. */
export const pullJson = (n: number) => ({ number: n, html_url: `https://github.example/berrys/gitops/pull/${n}`, node_id: `PR_kwDO${n}` });
