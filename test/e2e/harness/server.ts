import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { JobEvent, KintsugiApi } from '../../../src/shared/registry';
import { invokeHandler } from '../../../src/main/api/handlers';

// The harness's HTTP side: static renderer files, /api/<domain>.<method> -> the real handler object, /events -> SSE.
// Bound to 127.0.0.1 only.

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface Harness {
  url: string;
  close(): Promise<void>;
  /** How many API calls each method received (lets tests see that the UI went through the contract). */
  calls: Map<string, number>;
}

export async function startHarness(opts: {
  api: KintsugiApi;
  subscribe(listener: (event: JobEvent) => void): () => void;
  rendererDir: string;
}): Promise<Harness> {
  const clients = new Set<ServerResponse>();
  const calls = new Map<string, number>();
  const unsubscribe = opts.subscribe((event) => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const c of clients) c.write(line);
  });

  const server: Server = createServer((req, res) => {
    void route(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname.startsWith('/api/')) {
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      calls.set(method, (calls.get(method) ?? 0) + 1);
      let args: unknown;
      try {
        args = JSON.parse((await readBody(req)) || '[]');
      } catch {
        args = null; // invokeHandler turns a non-array into INVALID_ARGUMENT
      }
      const response = await invokeHandler(opts.api, method, args);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(response));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (req.method !== 'GET') {
      res.statusCode = 405;
      res.end();
      return;
    }
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = normalize(join(opts.rendererDir, rel));
    if (!file.startsWith(opts.rendererDir + sep)) {
      res.statusCode = 403;
      res.end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
    } catch {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    createReadStream(file).pipe(res);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    async close() {
      unsubscribe();
      for (const c of clients) c.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
