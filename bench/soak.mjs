// Soak: a Node HTTP server answers POST /predict with a 784-128-10 simdnet network while
// a second network of the same shape trains in a worker (trainInWorker); a load generator in a
// separate process (this file, forked with --load) hits it over loopback with keep-alive and a
// fixed concurrency, for a bounded time and request count, mixing 1-row and 32-row requests with
// ~1% malformed ones (which must get a 400 with the library's message). Prints a markdown section
// for bench/RESULTS.md.
//
//   npm run soak                                   # build, then 60 s (at most 200,000 requests)
//   node bench/soak.mjs --seconds 20 --requests 50000 --concurrency 8
//
// Weight updates: the worker trains its own copy (`trainee`) with syncWeights, so after each epoch
// `trainee` holds that epoch's weights on this thread; onEpoch then copies them into the serving
// network with one synchronous setWeights ("promotion"). The serving network itself never trains,
// so setWeights on it is never refused (a network refuses setWeights during its own trainAsync) and a
// deployment could gate the promotion (e.g. on a validation score) without touching the server. A
// request is handled in one synchronous callback (parse, predict, stringify), and a promotion is one
// synchronous call, so every response comes from exactly one set of weights; the server names that
// set in the `x-weights-version` header (the test checks every answer against it, bit for bit).
//
// test/soak.test.ts imports this module (startServer, runLoad, syntheticData, ...) and
// runs a bounded version with its own assertions. Nothing runs on import.
import http from 'node:http';
import os from 'node:os';
import v8 from 'node:v8';
import { fork } from 'node:child_process';
import { runInNewContext } from 'node:vm';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export const SHAPE = Object.freeze({
  layers: [784, 128, 10],
  activation: 'relu',
  output: 'softmax',
  loss: 'cross-entropy',
  // the server takes the trainee's weights as they are, so both see raw inputs
  normalize: 'none',
});
const INPUTS = 784,
  OUTPUTS = 10,
  CLASSES = 10;
const SELF = fileURLToPath(import.meta.url);
const MiB = 2 ** 20;

// ---- data ----------------------------------------------------------------------------------------

/** xorshift32 in [0, 1) */
function random(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s >>> 8) / 16777216;
  };
}

/**
 * Ten "digit" prototypes: a shared sparse background (70% dark pixels) with 60 pixels of their own
 * lit; a sample is its class's prototype, scaled and noisy, in [0, 1] (learnable, not trivially).
 */
function prototypes(seed) {
  const r = random(seed);
  const common = Float32Array.from({ length: INPUTS }, () => (r() < 0.7 ? 0 : r()));
  return Array.from({ length: CLASSES }, () => {
    const p = common.slice();
    for (let k = 0; k < 60; k++) p[Math.floor(r() * INPUTS)] = 0.5 + 0.5 * r();
    return p;
  });
}

function sample(proto, r, out, at) {
  const scale = 0.7 + 0.3 * r();
  for (let i = 0; i < INPUTS; i++)
    out[at + i] = Math.round(Math.min(1, Math.max(0, proto[i] * scale + 0.8 * (r() - 0.5))) * 1000) / 1000;
}

/**
 * `rows` labelled rows (class = row % 10, one label in ten replaced by a random one, so the loss
 * stays above zero), deterministic: x is rows × 784 in [0, 1], t one-hot.
 */
export function syntheticData(rows, seed = 1) {
  const protos = prototypes(seed),
    r = random(seed + 1);
  const x = new Float32Array(rows * INPUTS),
    t = new Float32Array(rows * OUTPUTS);
  for (let i = 0; i < rows; i++) {
    sample(protos[i % CLASSES], r, x, i * INPUTS);
    t[i * OUTPUTS + (r() < 0.1 ? Math.floor(r() * CLASSES) : i % CLASSES)] = 1;
  }
  return { x, t };
}

/** Rows of the same distribution as plain number arrays (values with three decimals: short JSON). */
function requestRows(count, seed) {
  const protos = prototypes(1),
    r = random(seed);
  const flat = new Float64Array(INPUTS);
  return Array.from({ length: count }, (_, k) => {
    sample(protos[(seed + k) % CLASSES], r, flat, 0);
    return Array.from(flat);
  });
}

const row = (seed) => requestRows(1, seed)[0];
/**
 * Malformed request bodies: what a confused or hostile client sends. Each must get a 400 whose
 * message names the offending field; `field` is what that message must contain.
 */
export const MALFORMED = Object.freeze([
  { name: 'short row', body: () => JSON.stringify({ rows: [row(1).slice(1)] }), field: 'input[0].length' },
  { name: 'long row', body: () => JSON.stringify({ rows: [row(2), [...row(3), 0.5]] }), field: 'input[1].length' },
  {
    name: 'string value',
    body: () => JSON.stringify({ rows: [Object.assign(row(4), { 5: 'x' })] }),
    field: 'input[0][5]',
  },
  {
    name: 'null value',
    body: () => JSON.stringify({ rows: [row(5), Object.assign(row(6), { 9: null })] }),
    field: 'input[1][9]',
  },
  {
    name: 'infinite value (1e999)',
    body: () => JSON.stringify({ rows: [row(7)] }).replace(/^(\{"rows":\[\[(?:[^,]*,){7})[^,]*/, '$11e999'),
    field: 'input[0][7]',
  },
  {
    name: 'beyond float32 (1e300)',
    body: () => JSON.stringify({ rows: [Object.assign(row(8), { 3: 1e300 })] }),
    field: 'input[0][3]',
  },
  { name: 'no rows', body: () => JSON.stringify({ row: [row(9)] }), field: 'input' },
  { name: 'zero rows', body: () => JSON.stringify({ rows: [] }), field: 'input' },
  { name: 'rows not an array', body: () => JSON.stringify({ rows: 'all of them' }), field: 'input' },
  { name: 'null row', body: () => JSON.stringify({ rows: [row(10), null] }), field: 'input[1]' },
  { name: 'body not JSON', body: () => JSON.stringify({ rows: [row(11)] }).slice(0, 900), field: 'body' },
  { name: 'body null', body: () => 'null', field: 'input' },
]);

/** The request bodies the load generator cycles through (deterministic from the seed). */
export function requestBodies(seed = 7) {
  return {
    one: Array.from({ length: 64 }, (_, i) => JSON.stringify({ rows: requestRows(1, seed * 1000 + i) })),
    batch: Array.from({ length: 8 }, (_, i) => JSON.stringify({ rows: requestRows(32, seed * 1000 + 500 + i) })),
    malformed: MALFORMED.map((m) => m.body()),
  };
}

/** Request i: every 100th (offset 50) malformed, then one in four a 32-row batch, else one row. */
function kindOf(i) {
  if (i % 100 === 50) return 'malformed';
  return i % 4 === 0 ? 'batch' : 'one';
}
function bodyIndex(kind, i, bodies) {
  return kind === 'malformed'
    ? Math.floor(i / 100) % bodies.malformed.length
    : (i * 7 + (i >> 3)) % bodies[kind].length;
}

// ---- server --------------------------------------------------------------------------------------

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

// ---- load generator (child process) --------------------------------------------------------------

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
    const child = fork(SELF, ['--load'], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

// ---- memory --------------------------------------------------------------------------------------

let gcFn;
/** A full collection: `gc` from --expose-gc, turned on at run time if node was started without it. */
export function forceGc() {
  if (gcFn !== undefined) return gcFn;
  if (typeof globalThis.gc === 'function') return (gcFn = globalThis.gc);
  try {
    v8.setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc');
  } catch {
    gcFn = null;
  }
  if (typeof gcFn !== 'function') gcFn = null;
  return gcFn;
}

/** process.memoryUsage() after a few forced collections (so a level, not a moment of garbage). */
export async function settledMemory() {
  const gc = forceGc();
  for (let i = 0; gc && i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return process.memoryUsage();
}

// ---- the soak ------------------------------------------------------------------------------------

function args(argv) {
  const o = { seconds: 60, requests: 200_000, concurrency: 8, rows: 4000, threads: 2 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]?.replace(/^--/, '');
    if (k in o) {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`--${k} must be a positive integer, got ${argv[i]}`);
      o[k] = v;
    } else throw new RangeError(`unknown option ${argv[i]} (--seconds, --requests, --concurrency, --rows, --threads)`);
  }
  return o;
}

const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : '–');
const mib = (v) => (v / MiB).toFixed(1);

async function soakMain() {
  const o = args(process.argv.slice(2));
  const { NN, engines: runtimeEngines, trainInWorker } = await import('../dist/index.js'); // here, so that the forked generator does not load it
  const mem = { start: await settledMemory() };
  const loadBefore = os.loadavg()[0];
  const serving = await NN.create({ ...SHAPE, seed: 1, threads: o.threads });
  const trainee = await NN.create({ ...SHAPE, seed: 2, threads: o.threads });
  serving.setWeights(trainee.getWeights()); // both start from the trainee's initial weights: version 0
  const data = syntheticData(o.rows, 1);
  const server = await startServer(serving);
  const delay = monitorEventLoopDelay({ resolution: 10 });

  let loadDone = false;
  const epochs = [];
  const started = performance.now();
  const training = trainInWorker(trainee, data.x, data.t, {
    epochs: 100_000,
    batchSize: 32,
    optimizer: 'adam',
    learningRate: 1e-3,
    syncWeights: true,
    onEpoch: (info) => {
      server.promote(trainee.getWeights());
      epochs.push({ ...info, at: performance.now() - started });
      return !loadDone;
    },
  });
  training.catch(() => {}); // awaited below; avoid an unhandled rejection while the load runs

  const warmupSeconds = Math.min(5, o.seconds * 0.1),
    warmupRequests = Math.max(1, Math.floor(o.requests * 0.1));
  const { summary } = await runLoad({
    port: server.port,
    seconds: o.seconds,
    requests: o.requests,
    concurrency: o.concurrency,
    warmupSeconds,
    warmupRequests,
    onWarm: async () => {
      mem.warm = await settledMemory();
      mem.epochsAtWarm = epochs.length;
      delay.reset();
      delay.enable();
    },
    onFinished: async () => {
      delay.disable();
      loadDone = true;
      mem.end = await settledMemory();
      mem.epochsAtEnd = epochs.length;
    },
  });
  const report = await training;
  await server.close();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const finite = [...trainee.getWeights().weights, ...trainee.getWeights().biases].every(
    (a) => !a || a.every(Number.isFinite),
  );

  const { run, warm, latency, errors } = summary;
  const unexpected = errors.status + errors.socket + errors.body + server.stats.serverErrors;
  const engines = runtimeEngines();
  const cpu = os.cpus();
  const excess = (q) => Math.max(0, delay.percentile(q) / 1e6 - 10);
  const lines = [
    `## Soak: HTTP predictions while a network trains in a worker (\`npm run soak\`)`,
    '',
    `${new Date().toISOString().slice(0, 10)} · ${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} cores) · Node ${process.version} · ` +
      `engines available: ${engines.available.join(', ')}; serving build: ${serving.build} on ${serving.threads} thread(s), ` +
      `training build: ${report.build} on ${report.threads} thread(s) · ` +
      `1-min load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after (the soak itself keeps about 3 threads busy)`,
    '',
    `One process serves POST /predict (JSON rows in, softmax rows out) from a ${SHAPE.layers.join('-')} network (relu, softmax) ` +
      `while a second network of the same shape trains in a worker (trainInWorker: ${o.rows.toLocaleString('en')} synthetic rows, ` +
      `batches of 32, Adam, syncWeights) and each finished epoch is copied into the serving network with one setWeights. ` +
      `A load generator in a separate process keeps ${o.concurrency} keep-alive connections busy over loopback: 1 request in 4 ` +
      `is a 32-row batch, 1 in 100 malformed (must be answered 400). Warm-up: ${warm.requests.toLocaleString('en')} requests in ` +
      `${warm.seconds.toFixed(1)} s, not in the figures below; then at most ${o.seconds} s or ${o.requests.toLocaleString('en')} requests.`,
    '',
    `**${run.requests.toLocaleString('en')} requests in ${run.seconds.toFixed(1)} s = ${Math.round(run.requests / run.seconds).toLocaleString('en')} requests/s ` +
      `(${Math.round((latency.one.count + 32 * latency.batch.count) / run.seconds).toLocaleString('en')} rows/s); ` +
      `unexpected errors: ${unexpected}** (non-2xx except the expected 400s: ${errors.status}, socket: ${errors.socket}, ` +
      `bad bodies: ${errors.body}, server 500s: ${server.stats.serverErrors}; 400s answered: ${server.stats.badRequest}).`,
    '',
    '| request | count | p50 ms | p90 ms | p99 ms | max ms |',
    '|---|--:|--:|--:|--:|--:|',
    ...[
      ['1 row', latency.one],
      ['32 rows', latency.batch],
      ['malformed (400)', latency.malformed],
    ].map(
      ([name, l]) =>
        `| ${name} | ${l.count.toLocaleString('en')} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.max)} |`,
    ),
    '',
    `Latency is measured by the generator, from sending a request to the end of its response (loopback, keep-alive).`,
    '',
    `| server memory (after forced GC) | start | after warm-up | end | end − warm-up |`,
    '|---|--:|--:|--:|--:|',
    `| rss MiB | ${mib(mem.start.rss)} | ${mib(mem.warm.rss)} | ${mib(mem.end.rss)} | ${mib(mem.end.rss - mem.warm.rss)} |`,
    `| heapUsed MiB | ${mib(mem.start.heapUsed)} | ${mib(mem.warm.heapUsed)} | ${mib(mem.end.heapUsed)} | ${mib(mem.end.heapUsed - mem.warm.heapUsed)} |`,
    `| external MiB (ArrayBuffers, Wasm memory) | ${mib(mem.start.external)} | ${mib(mem.warm.external)} | ${mib(mem.end.external)} | ${mib(mem.end.external - mem.warm.external)} |`,
    '',
    `"start" is before either network exists; rss is the whole process (the training worker's heap and Wasm memory included), ` +
      `heapUsed and external the main thread's. Peak rss: ${mib(peakRss)} MiB.`,
    '',
    `Training in the worker: ${report.epochs} epochs (${mem.epochsAtEnd - mem.epochsAtWarm} of them during the measured run), ` +
      `${Math.round(report.samplesPerSecond).toLocaleString('en')} samples/s, worker ready after ${Math.round(report.startupMs)} ms, ` +
      `loss ${epochs[0]?.error.toPrecision(3)} after epoch 1 → ${report.error.toPrecision(3)} after epoch ${report.epochs} (10% of the labels are random), ` +
      `stopped by: ${report.stoppedBy}; final weights finite: ${finite}; ${server.version} weight promotions into the serving network.`,
    '',
    `Event-loop delay of the server thread during the measured run (monitorEventLoopDelay, 10 ms resolution; ` +
      `excess over the 10 ms timer): p50 ${ms(excess(50))} ms, p99 ${ms(excess(99))} ms, max ${ms(Math.max(0, delay.max / 1e6 - 10))} ms.`,
  ];
  if (errors.samples.length || server.stats.lastServerError)
    lines.push(
      '',
      'First errors:',
      ...errors.samples.map((s) => `- ${s}`),
      server.stats.lastServerError ? `- ${server.stats.lastServerError}` : '',
    );
  console.log(lines.join('\n'));
  serving.dispose();
  trainee.dispose();
  if (unexpected || !finite) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const main = process.argv.includes('--load') ? generatorMain : soakMain;
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
