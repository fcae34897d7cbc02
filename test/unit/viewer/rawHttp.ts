// Requests as a client that does not normalise them would send: `http.request` with `path` set
// sends the path byte for byte (no URL parsing, so `%ff`, `..` and `\` reach the server as they
// are), and a raw socket sends what Node's client refuses to write (spaces, control bytes).

import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  /** Fail when no complete answer has come within this many ms. */
  timeoutMs?: number;
}

/** One request on its own connection; rejects on a socket error or after `timeoutMs`. */
export function rawRequest(origin: string, options: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Writes `bytes` on a fresh connection and resolves with the status of the first response line
 * (0 when the server closed the connection without one); rejects after `timeoutMs`.
 */
export function rawSocketStatus(origin: string, bytes: Buffer | string, timeoutMs = 10_000): Promise<number> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let received = '';
    const statusOf = () => Number(/^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(String(bytes).slice(0, 80))}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (statusOf()) {
        clearTimeout(timer);
        socket.destroy();
        resolve(statusOf());
      }
    });
    socket.on('error', () => undefined); // a reset after the answer, or instead of one: 'close' says which
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(statusOf());
    });
  });
}
