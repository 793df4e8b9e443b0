// The soak's load generator: a child process (this file, forked) that keeps `concurrency` keep-alive
// connections busy over loopback for a bounded time and request count, warm-up first, and reports
// latencies, errors and (verify mode) every answer; runLoad forks and drives it from the server's
// process.
import http from 'node:http';
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MALFORMED, OUTPUTS, bodyIndex, kindOf, requestBodies } from './data.mjs';

const SELF = fileURLToPath(import.meta.url);

function percentiles(samples) {
  const a = Float64Array.from(samples).sort();
  const at = (q) => (a.length ? a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))] : NaN);
  return { count: a.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: a.length ? a[a.length - 1] : NaN };
}

/** Runs in the forked child: the load, in two phases (warm-up, then measured), driven over IPC. */
async function generatorMain() {
  const cfg = await new Promise((resolve) => process.once('message', resolve));
  const bodies = requestBodies(cfg.seed);
  const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.concurrency });
  const lat = { one: [], batch: [], malformed: [] };
  const errors = { status: 0, socket: 0, body: 0, samples: [] };
  const records = []; // verify mode: [kind, body index, version, status, outputs or message]
  let next = 0,
    measuring = false;
  const fail = (what, message) => {
    errors[what]++;
    if (errors.samples.length < 10) errors.samples.push(message);
  };

  const request = (i) =>
    new Promise((resolve) => {
      const kind = kindOf(i),
        b = bodyIndex(kind, i, bodies),
        body = bodies[kind][b];
      const started = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port: cfg.port,
          path: '/predict',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const ms = performance.now() - started;
            if (measuring) lat[kind].push(ms);
            let payload;
            try {
              payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              fail('body', `request ${i}: unparsable response`);
              resolve();
              return;
            }
            const version = Number(res.headers['x-weights-version']);
            if (kind === 'malformed') {
              if (
                res.statusCode !== 400 ||
                typeof payload.error !== 'string' ||
                !payload.error.includes(MALFORMED[b].field)
              ) {
                fail(
                  'status',
                  `request ${i} (${MALFORMED[b].name}): ${res.statusCode} ${JSON.stringify(payload).slice(0, 200)}`,
                );
              }
              if (cfg.verify) records.push([kind, b, version, res.statusCode, payload.error]);
            } else if (res.statusCode !== 200) {
              fail('status', `request ${i} (${kind}): ${res.statusCode} ${JSON.stringify(payload).slice(0, 200)}`);
            } else {
              const rows = kind === 'one' ? 1 : 32,
                out = payload.outputs;
              const good =
                Array.isArray(out) &&
                out.length === rows &&
                out.every(
                  (o) =>
                    Array.isArray(o) &&
                    o.length === OUTPUTS &&
                    o.every(Number.isFinite) &&
                    Math.abs(o.reduce((s, v) => s + v, 0) - 1) < 1e-4,
                );
              if (!good) fail('body', `request ${i} (${kind}): outputs of the wrong shape or not a softmax`);
              if (cfg.verify) records.push([kind, b, version, res.statusCode, out]);
            }
            resolve();
          });
          res.on('error', (e) => {
            fail('socket', `request ${i}: ${e.message}`);
            resolve();
          });
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
      req.on('error', (e) => {
        fail('socket', `request ${i}: ${e.message}`);
        resolve();
      });
      req.end(body);
    });

  /** `concurrency` loops, each sending its next request when the last one is answered. */
  const phase = async (seconds, limit) => {
    const first = next,
      until = performance.now() + seconds * 1000;
    const loop = async () => {
      while (next - first < limit && performance.now() < until) await request(next++);
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: cfg.concurrency }, loop));
    return { requests: next - first, seconds: (performance.now() - started) / 1000 };
  };

  const warm = await phase(cfg.warmupSeconds, cfg.warmupRequests);
  process.send({ type: 'warm', ...warm });
  await new Promise((resolve) => process.once('message', resolve)); // 'go'
  measuring = true;
  const run = await phase(cfg.seconds, cfg.requests);
  measuring = false;
  agent.destroy();
  process.send({
    type: 'finished',
    warm,
    run,
    errors,
    latency: { one: percentiles(lat.one), batch: percentiles(lat.batch), malformed: percentiles(lat.malformed) },
  });
  await new Promise((resolve) => process.once('message', resolve)); // 'records'
  process.send({ type: 'records', records }, () => process.disconnect());
}

/**
 * Forks the load generator and drives it: warm-up, then `onWarm()` (the caller measures), then the
 * measured phase, then `onFinished(summary)` (the caller measures again) before the generator sends
 * its records (verify mode) and exits. Resolves with { summary, records }.
 */
export function runLoad({
  port,
  seconds,
  requests,
  concurrency = 8,
  warmupSeconds,
  warmupRequests,
  verify = false,
  seed = 7,
  onWarm = async () => {},
  onFinished = async () => {},
}) {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let summary = null,
      settled = false;
    const done = (f) => {
      if (!settled) {
        settled = true;
        f();
      }
    };
    child.on('error', (e) => done(() => reject(e)));
    child.on('exit', (code, signal) => {
      if (!summary || code)
        done(() => reject(new Error(`load generator exited (${code ?? signal}) before it finished`)));
    });
    child.on('message', (m) => {
      void (async () => {
        if (m.type === 'warm') {
          await onWarm(m);
          child.send({ type: 'go' });
        } else if (m.type === 'finished') {
          summary = m;
          await onFinished(m);
          child.send({ type: 'records' });
        } else if (m.type === 'records') done(() => resolve({ summary, records: m.records }));
      })().catch((e) => {
        child.kill();
        done(() => reject(e));
      });
    });
    child.send({ port, seconds, requests, concurrency, warmupSeconds, warmupRequests, verify, seed });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  generatorMain().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
