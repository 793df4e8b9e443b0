// The soak's server: POST /predict answered from one network, whose weights a promotion replaces
// between requests (each response names the set of weights it came from).
import http from 'node:http';

import { OUTPUTS } from './data.mjs';

const MiB = 2 ** 20;

/**
 * An HTTP server answering POST /predict {"rows": number[][]} with {"outputs": number[][]} from
 * `net`. Bad input is a 400 carrying the library's message; only a bug would be a 500.
 * `promote(weights)` moves the serving network to new weights (one synchronous setWeights) and
 * bumps the version the responses carry; with keepVersions every promoted set is kept (for checks).
 */
export async function startServer(net, { port = 0, maxBodyBytes = 4 * MiB, keepVersions = false } = {}) {
  const stats = { requests: 0, ok: 0, badRequest: 0, tooLarge: 0, notFound: 0, serverErrors: 0, lastServerError: '' };
  const versions = keepVersions ? [net.getWeights()] : null;
  let version = 0;
  const send = (res, status, payload) => {
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-weights-version': String(version),
    });
    res.end(text);
  };
  const answer = (res, text) => {
    let body;
    try {
      body = JSON.parse(text);
    } catch (e) {
      stats.badRequest++;
      send(res, 400, { error: `body must be JSON {"rows": number[][]}: ${e.message}` });
      return;
    }
    const rows = body !== null && typeof body === 'object' ? body.rows : undefined;
    let out;
    try {
      out = net.predict(rows); // validates everything: shapes, types, finite float32 values
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) {
        stats.badRequest++;
        send(res, 400, { error: e.message });
        return;
      }
      stats.serverErrors++;
      stats.lastServerError = String(e?.stack ?? e);
      send(res, 500, { error: 'internal error' });
      return;
    }
    const outputs = [];
    if (out instanceof Float32Array)
      for (let r = 0; r < out.length / OUTPUTS; r++)
        outputs.push(Array.from(out.subarray(r * OUTPUTS, (r + 1) * OUTPUTS)));
    else for (const o of out) outputs.push(Array.from(o));
    stats.ok++;
    send(res, 200, { outputs });
  };
  const server = http.createServer((req, res) => {
    stats.requests++;
    if (req.method !== 'POST' || req.url !== '/predict') {
      stats.notFound++;
      req.resume();
      send(res, 404, { error: 'POST /predict' });
      return;
    }
    const chunks = [];
    let bytes = 0,
      refused = false;
    req.on('data', (chunk) => {
      if (refused) return;
      bytes += chunk.length;
      if (bytes > maxBodyBytes) {
        refused = true;
        chunks.length = 0;
        stats.tooLarge++;
        send(res, 413, { error: `body larger than ${maxBodyBytes} bytes` });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) answer(res, Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => {}); // a client that goes away mid-body: nothing to answer
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    server,
    stats,
    versions,
    port: server.address().port,
    get version() {
      return version;
    },
    promote(weights) {
      net.setWeights(weights);
      version++;
      if (versions) versions.push(weights);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
