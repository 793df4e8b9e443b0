// npm run demo: a plain static file server for the demo, on localhost, sending the two headers
// that make a page cross-origin isolated (so the demo can train on several threads). Also used by
// the browser tests to serve pages, with or without those headers.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.gz': 'application/octet-stream',
  '.ico': 'image/x-icon',
};

/** The headers that make a page cross-origin isolated: SharedArrayBuffer, and so threads, exist there. */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/** Serves files under root with extra `headers`; resolves to { url, close } once listening (port 0 picks a free port). */
export function serveStatic(root, { port = 0, host = '127.0.0.1', headers = {} } = {}) {
  root = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(root, path));
      if (!file.startsWith(root)) {
        res.writeHead(403).end();
        return;
      }
      if ((await stat(file)).isDirectory()) {
        if (!path.endsWith('/')) {
          res.writeHead(301, { location: `${path}/` }).end();
          return;
        }
        file = join(file, 'index.html');
      }
      const body = await readFile(file);
      res.writeHead(200, {
        ...headers,
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      ok({
        url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${actual}/`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { writeDemoData } = await import('./demo-data.mjs');
  writeDemoData();
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { url } = await serveStatic(root, { port: Number(process.env.PORT ?? 8080), headers: ISOLATION_HEADERS });
  console.log(`simdnet demo: ${url}demo/  (Ctrl+C to stop)`);
}
