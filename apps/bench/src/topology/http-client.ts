/**
 * A small keep-alive HTTP/1.1 JSON client (node:http and one Agent), so the topology's driver reuses its
 * connections like a real client would instead of paying a TCP handshake per event.
 */
import { Agent, request } from 'node:http';

/** An answer: status and parsed JSON body (null when the body is empty or not JSON). */
export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** A client of one base URL (e.g. `http://127.0.0.1:3000`). */
export interface JsonClient {
  post(path: string, body: unknown): Promise<HttpAnswer>;
  get(path: string): Promise<HttpAnswer>;
  close(): void;
}

/** Open a client with up to `sockets` keep-alive connections. */
export function jsonClient(baseUrl: string, sockets = 64): JsonClient {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const base = new URL(baseUrl);
  const send = (method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const outgoing = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path,
          headers:
            payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = null;
            try {
              parsed = text === '' ? null : JSON.parse(text);
            } catch {
              parsed = text;
            }
            resolve({ status: response.statusCode ?? 0, body: parsed });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  return {
    post: (path, body) => send('POST', path, body),
    get: (path) => send('GET', path),
    close: () => agent.destroy(),
  };
}
