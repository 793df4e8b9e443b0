// Soak: a Node HTTP server (soak/server.mjs) answers POST /predict with a 784-128-10 simdnet network
// while a second network of the same shape trains in a worker (trainInWorker); a load generator in
// a separate process (soak/load.mjs) hits it over loopback with keep-alive and a fixed concurrency,
// for a bounded time and request count, mixing 1-row and 32-row requests with ~1% malformed ones
// (which must get a 400 with the library's message; the workload is soak/data.mjs). This file is
// the orchestrator: one phase per thread count of both networks (one thread first, then the ones
// asked), memory measured across them, and a markdown section for bench/RESULTS.md.
//
//   npm run soak                                   # build, then 20 s per phase: threads 1, 2 and 'auto'
//   node bench/soak.mjs --seconds 20 --requests 50000 --concurrency 8 --threads 1,2,auto
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
// test/soak.test.ts imports this module (startServer, runLoad, syntheticData, ...) and runs a bounded
// version with its own assertions. Nothing runs on import.
import os from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { SHAPE, syntheticData } from './soak/data.mjs';
import { startServer } from './soak/server.mjs';
import { runLoad } from './soak/load.mjs';

export { MALFORMED, SHAPE, requestBodies, syntheticData } from './soak/data.mjs';
export { startServer } from './soak/server.mjs';
export { runLoad } from './soak/load.mjs';

const MiB = 2 ** 20;

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
  const o = { seconds: 20, requests: 100_000, concurrency: 8, rows: 4000, threads: [1, 2, 'auto'] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]?.replace(/^--/, '');
    const text = argv[++i];
    if (k === 'threads') {
      o.threads = (text ?? '').split(',').map((t) => (t === 'auto' ? t : Number(t)));
      if (!o.threads.every((t) => t === 'auto' || (Number.isInteger(t) && t > 0)))
        throw new RangeError(`--threads must be a list of positive integers or auto, got ${text}`);
    } else if (k in o) {
      const v = Number(text);
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`--${k} must be a positive integer, got ${text}`);
      o[k] = v;
    } else
      throw new RangeError(`unknown option ${argv[i - 1]} (--seconds, --requests, --concurrency, --rows, --threads)`);
  }
  return o;
}

const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : '–');
const mib = (v) => (v / MiB).toFixed(1);

/**
 * One phase: a serving network and a trainee on `threads` threads, the load for at most `o.seconds`
 * and `o.requests` after a warm-up, training all the while; what it measured.
 */
async function phase(library, o, threads) {
  const { NN, trainInWorker } = library;
  const serving = await NN.create({ ...SHAPE, seed: 1, threads });
  const trainee = await NN.create({ ...SHAPE, seed: 2, threads });
  serving.setWeights(trainee.getWeights()); // both start from the trainee's initial weights: version 0
  const data = syntheticData(o.rows, 1);
  const server = await startServer(serving);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const mem = {};
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
  const { summary } = await runLoad({
    port: server.port,
    seconds: o.seconds,
    requests: o.requests,
    concurrency: o.concurrency,
    warmupSeconds: Math.min(5, o.seconds * 0.1),
    warmupRequests: Math.max(1, Math.floor(o.requests * 0.1)),
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
  const w = trainee.getWeights();
  const finite = [...w.weights, ...w.biases].every((a) => !a || a.every(Number.isFinite));
  const result = {
    threads,
    inEffect: { serving: serving.threads, training: report.threads },
    build: serving.build,
    summary,
    stats: server.stats,
    promotions: server.version,
    mem,
    report,
    firstLoss: epochs[0]?.error,
    finite,
    delay: { p50: delay.percentile(50), p99: delay.percentile(99), max: delay.max },
  };
  serving.dispose();
  trainee.dispose();
  return result;
}

async function soakMain() {
  const o = args(process.argv.slice(2));
  const library = await import('../dist/index.js'); // here, so that the forked generator does not load it
  const start = await settledMemory();
  const loadBefore = os.loadavg()[0];
  const phases = [];
  for (const threads of o.threads) phases.push(await phase(library, o, threads));
  const end = await settledMemory();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const unexpectedOf = (p) =>
    p.summary.errors.status + p.summary.errors.socket + p.summary.errors.body + p.stats.serverErrors;
  const engines = library.engines();
  const cpu = os.cpus();
  const excess = (v) => Math.max(0, v / 1e6 - 10);
  const lines = [
    `## Soak: HTTP predictions while a network trains in a worker (\`npm run soak\`)`,
    '',
    `${new Date().toISOString().slice(0, 10)} · ${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} cores) · Node ${process.version} · ` +
      `engines available: ${engines.available.join(', ')}; build: ${phases[0]?.build} · ` +
      `1-min load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after (the soak itself keeps about 3 threads busy)`,
    '',
    `One process serves POST /predict (JSON rows in, softmax rows out) from a ${SHAPE.layers.join('-')} network (relu, softmax) ` +
      `while a second network of the same shape trains in a worker (trainInWorker: ${o.rows.toLocaleString('en')} synthetic rows, ` +
      `batches of 32, Adam, syncWeights) and each finished epoch is copied into the serving network with one setWeights. ` +
      `A load generator in a separate process keeps ${o.concurrency} keep-alive connections busy over loopback: 1 request in 4 ` +
      `is a 32-row batch, 1 in 100 malformed (must be answered 400). One phase per \`threads\` of both networks, in this order; ` +
      `each phase: a warm-up not in the figures, then at most ${o.seconds} s or ${o.requests.toLocaleString('en')} requests. ` +
      `Latency is measured by the generator, from sending a request to the end of its response (loopback, keep-alive).`,
    '',
    '| threads (in effect: serving, training) | requests/s | rows/s | unexpected errors | 400s | 1 row p50 / p99 ms | 32 rows p50 / p99 ms | malformed p50 ms | event-loop delay p99 ms |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...phases.map((p) => {
      const { run, latency } = p.summary;
      return (
        `| ${p.threads} (${p.inEffect.serving}, ${p.inEffect.training}) | ${Math.round(run.requests / run.seconds).toLocaleString('en')} | ` +
        `${Math.round((latency.one.count + 32 * latency.batch.count) / run.seconds).toLocaleString('en')} | ${unexpectedOf(p)} | ` +
        `${p.stats.badRequest} | ${ms(latency.one.p50)} / ${ms(latency.one.p99)} | ${ms(latency.batch.p50)} / ${ms(latency.batch.p99)} | ` +
        `${ms(latency.malformed.p50)} | ${ms(excess(p.delay.p99))} |`
      );
    }),
    '',
    '| server memory (after forced GC) | before the first phase | ' +
      phases.map((p) => `threads ${p.threads}: warm-up → end`).join(' | ') +
      ' | after the last phase |',
    `|---|--:|${phases.map(() => '--:|').join('')}--:|`,
    ...['rss', 'heapUsed', 'external'].map(
      (k) =>
        `| ${k} MiB | ${mib(start[k])} | ${phases.map((p) => `${mib(p.mem.warm[k])} → ${mib(p.mem.end[k])}`).join(' | ')} | ${mib(end[k])} |`,
    ),
    '',
    `rss is the whole process (the training worker's heap and Wasm memory included), heapUsed and external (ArrayBuffers, ` +
      `Wasm memory) the main thread's. Peak rss: ${mib(peakRss)} MiB.`,
    '',
    ...phases.map(
      (p) =>
        `Training in the worker, threads ${p.threads}: ${p.report.epochs} epochs (${p.mem.epochsAtEnd - p.mem.epochsAtWarm} during the measured run), ` +
        `${Math.round(p.report.samplesPerSecond).toLocaleString('en')} samples/s, worker ready after ${Math.round(p.report.startupMs)} ms, ` +
        `loss ${p.firstLoss?.toPrecision(3)} after epoch 1 → ${p.report.error.toPrecision(3)} (10% of the labels are random); ` +
        `final weights finite: ${p.finite}; ${p.promotions} promotions.`,
    ),
  ];
  for (const p of phases) {
    const samples = [...p.summary.errors.samples, p.stats.lastServerError].filter(Boolean);
    if (samples.length) lines.push('', `First errors, threads ${p.threads}:`, ...samples.map((s) => `- ${s}`));
  }
  console.log(lines.join('\n'));
  if (phases.some((p) => unexpectedOf(p) || !p.finite)) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  soakMain().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
