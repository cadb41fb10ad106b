/**
 * The e2e's edge to the API server it started: plain HTTPS with the admin client certificate, returning status,
 * body and the `Warning` headers (which @kubernetes/client-node does not expose). Only the e2e uses it; the
 * commands talk to clusters through bootstrap/kube.ts.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';

export interface KubeResponse {
  status: number;
  body: string;
  warnings: string[];
}

export type KubeRequest = (method: string, path: string, body?: string, contentType?: string) => Promise<KubeResponse>;

export interface KubeHttpOptions {
  server: string;
  ca: string;
  cert: string;
  key: string;
  timeoutMs?: number;
}

/** A request function bound to one API server and client certificate (files read once). */
export function kubeHttp(o: KubeHttpOptions): KubeRequest {
  const agent = new https.Agent({ ca: readFileSync(o.ca), cert: readFileSync(o.cert), key: readFileSync(o.key), keepAlive: true, maxSockets: 8 });
  return (method, path, body, contentType = 'application/json') =>
    new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, o.server),
        { method, agent, headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': contentType }) }, timeout: o.timeoutMs ?? 60_000 },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => {
            const raw = res.headers.warning;
            resolve({ status: res.statusCode ?? 0, body: text, warnings: parseWarnings(raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer from ${o.server} within ${o.timeoutMs ?? 60_000} ms`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
}

/**
 * The texts of `Warning: 299 - "text"` headers (RFC 7234 form, which the API server uses); Node joins repeated
 * headers with ", ", so one header value may hold several warnings.
 */
export function parseWarnings(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const re = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
    let m: RegExpExecArray | null;
    let any = false;
    while ((m = re.exec(value))) {
      any = true;
      out.push(m[1]!.replace(/\\(.)/g, '$1'));
    }
    if (!any && value.trim()) out.push(value.trim());
  }
  return out;
}
