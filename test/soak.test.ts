// Soak (bounded): the HTTP server of bench/soak.mjs answers POST /predict from a
// 784-128-10 network while a second network trains in a worker (trainInWorker, syncWeights) and
// every finished epoch is promoted into the serving network; bench/soak.mjs's load generator, in a
// forked process, keeps 8 keep-alive connections busy over loopback (1-row and 32-row requests,
// 1% malformed) for at most 8 s / 2,000 measured requests after a warm-up. Asserted here, by this
// file's own checks:
// - no unexpected errors: no 5xx, no socket errors, every well-formed request answered 200;
// - every answer (1-row and 32-row) is bit-identical to net.predict of a network holding the
//   weights the server says it answered from (x-weights-version, read in the same synchronous
//   callback as predict); those are weights the serving network really held (each promotion is
//   recorded), and training moved them several times while the load ran;
// - every malformed request is a 400 whose message names the field;
// - memory is flat (bounds below), and the training finished with finite weights that are the
//   serving network's last promoted weights.
// No latency is asserted (a noisy 2-core machine); the figures are in bench/RESULTS.md.
import { describe, expect, it } from 'vitest';
import { NN, trainInWorker, type Weights } from '../dist/index.js';
import { classic, classicTrain } from './helpers/classic.js';

const MiB = 2 ** 20;

interface Server {
  port: number;
  stats: {
    requests: number;
    ok: number;
    badRequest: number;
    tooLarge: number;
    notFound: number;
    serverErrors: number;
    lastServerError: string;
  };
  versions: Weights[];
  readonly version: number;
  promote(weights: Weights): void;
  close(): Promise<void>;
}
type Kind = 'one' | 'batch' | 'malformed';
/** [kind, body index, x-weights-version, status, outputs (200) or error message (400)] */
type RecordRow = [Kind, number, number, number, number[][] | string];
interface Phase {
  requests: number;
  seconds: number;
}
interface Summary {
  warm: Phase;
  run: Phase;
  errors: { status: number; socket: number; body: number; samples: string[] };
}
interface SoakModule {
  SHAPE: { layers: number[]; activation: 'relu'; output: 'softmax'; loss: 'cross-entropy' };
  MALFORMED: readonly { name: string }[];
  syntheticData(rows: number, seed?: number): { x: Float32Array; t: Float32Array };
  requestBodies(seed?: number): Record<Kind, string[]>;
  startServer(net: NN, options?: { keepVersions?: boolean; maxBodyBytes?: number }): Promise<Server>;
  runLoad(options: {
    port: number;
    seconds: number;
    requests: number;
    concurrency?: number;
    warmupSeconds: number;
    warmupRequests: number;
    verify?: boolean;
    seed?: number;
    onWarm?: () => Promise<void>;
    onFinished?: () => Promise<void>;
  }): Promise<{ summary: Summary; records: RecordRow[] }>;
  settledMemory(): Promise<NodeJS.MemoryUsage>;
  forceGc(): (() => void) | null;
}
// a plain .mjs (it is also the `npm run soak` script): imported by URL, typed by the interface above
const soak = (await import(/* @vite-ignore */ new URL('../bench/soak.mjs', import.meta.url).href)) as SoakModule;

/** What each malformed body's 400 message must name (this file's own table, not the bench's). */
const FIELD: Record<string, RegExp> = {
  'short row': /^input\[0\]\.length must be 784/,
  'long row': /^input\[1\]\.length must be 784/,
  'string value': /^input\[0\]\[5\] must be a number/,
  'null value': /^input\[1\]\[9\] must be a number/,
  'infinite value (1e999)': /^input\[0\]\[7\] must be a finite number/,
  'beyond float32 (1e300)': /^input\[0\]\[3\] must be a finite number/,
  'no rows': /^input must be an array of rows/,
  'zero rows': /^input must be at least one row/,
  'rows not an array': /^input must be an array of rows/,
  'null row': /^input\[1\] must be a row of 784 numbers/,
  'body not JSON': /^body must be JSON/,
  'body null': /^input must be an array of rows/,
};

/** Bytes held by the recorded weight versions (kept only for the checks; not the server's memory). */
function versionBytes(versions: Weights[]): number {
  const buffers = new Set<ArrayBufferLike>();
  for (const w of versions) for (const a of [...w.weights, ...w.biases]) if (a) buffers.add(a.buffer);
  let n = 0;
  for (const b of buffers) n += b.byteLength;
  return n;
}

// Memory bounds, measured after forced collections, from the end of the warm-up to the end of the
// measured run (the training worker alive at both points), both minus the weight versions this
// test records for its checks (400 KB per promoted epoch):
// - JS heap + external (external holds the Wasm memory and every ArrayBuffer): at most 8 MiB of
//   growth. Serving a request allocates a 4 KB (1 row) to 137 KB (32 rows) body, its parsed rows
//   (6 KB per row as JS numbers), a Float32Array copy in Wasm (3 KB per row) and the
//   request/response objects; retaining any of them per request leaks on average >= 30 KB per
//   request (1 in 4 is a 32-row batch), so >= 30 MB over the >= 1,000 measured requests asserted
//   below, and a Wasm buffer grown per batch (118 KB) >= 29 MB. Measured growth: -2 to +2 MiB.
// - RSS: at most 128 MiB. RSS is the whole vitest process, whose other threads run other test files
//   at the same time, so only a gross leak is visible in it; the bound above is the tight one.
const MAX_JS_GROWTH = 8 * MiB;
const MAX_RSS_GROWTH = 128 * MiB;

describe('soak: an HTTP service predicting while a network trains in a worker', () => {
  it('answers every request correctly and from weights it held, refuses malformed ones with 400, keeps memory flat', async () => {
    expect(soak.forceGc(), 'a forced collection is available').toBeTypeOf('function');
    // both on two threads: the serving network's products share helpers, the worker's training has its own
    const serving = await NN.create(classic({ ...soak.SHAPE, seed: 1, threads: 2 }));
    const trainee = await NN.create(classic({ ...soak.SHAPE, seed: 2, threads: 2 }));
    serving.setWeights(trainee.getWeights()); // version 0
    const data = soak.syntheticData(2000, 3); // short epochs: many promotions while the load runs;
    const server = await soak.startServer(serving, { keepVersions: true });

    try {
      // the odd requests a load generator does not send: wrong route, oversized body
      const url = `http://127.0.0.1:${server.port}`;
      const notFound = await fetch(`${url}/nope`);
      expect(notFound.status).toBe(404);
      await notFound.arrayBuffer();
      const tooLarge = await fetch(`${url}/predict`, { method: 'POST', body: 'x'.repeat(5 * MiB) });
      expect(tooLarge.status).toBe(413);
      await tooLarge.arrayBuffer();

      let loadDone = false;
      const training = trainInWorker(
        trainee,
        data.x,
        data.t,
        classicTrain({
          epochs: 10_000,
          batchSize: 32,
          optimizer: 'adam',
          learningRate: 1e-3,
          syncWeights: true,
          onEpoch: () => {
            server.promote(trainee.getWeights());
            return !loadDone;
          },
        }),
      );
      training.catch(() => {}); // awaited below

      type Level = { js: number; rss: number };
      const level = async (): Promise<Level> => {
        const m = await soak.settledMemory();
        const kept = versionBytes(server.versions); // the test's own records, not the server's memory
        return { js: m.heapUsed + m.external - kept, rss: m.rss - kept };
      };
      let warm: Level | undefined,
        end: Level | undefined,
        versionAtWarm = 0,
        versionAtEnd = 0;
      const { summary, records } = await soak.runLoad({
        port: server.port,
        seconds: 8,
        requests: 2000,
        concurrency: 8,
        warmupSeconds: 1,
        warmupRequests: 400,
        verify: true,
        onWarm: async () => {
          warm = await level();
          versionAtWarm = server.version;
        },
        onFinished: async () => {
          loadDone = true;
          end = await level();
          versionAtEnd = server.version;
        },
      });
      const report = await training;
      expect([serving.threads, report.threads], 'serving and training on two threads').toEqual([2, 2]);

      // ---- no unexpected errors
      const { errors, warm: warmPhase, run } = summary;
      expect(errors.samples, 'the generator saw no unexpected status, socket error or bad body').toEqual([]);
      expect(errors.status + errors.socket + errors.body).toBe(0);
      expect(server.stats.serverErrors, server.stats.lastServerError).toBe(0);
      const total = warmPhase.requests + run.requests;
      expect(records.length, 'one record per request').toBe(total);
      expect(run.requests, 'enough measured requests for the memory bound to mean something').toBeGreaterThanOrEqual(
        1000,
      );

      // ---- malformed: 400 naming the field, every kind exercised
      const malformed = records.filter((r) => r[0] === 'malformed');
      const names = soak.MALFORMED.map((m) => m.name);
      expect(Object.keys(FIELD).sort()).toEqual([...names].sort());
      for (const [, b, , status, message] of malformed) {
        expect(status, names[b]).toBe(400);
        expect(message, names[b]).toMatch(FIELD[names[b]!]!);
      }
      expect(new Set(malformed.map((r) => r[1])).size, 'every malformed kind was sent').toBe(names.length);
      expect(server.stats.badRequest, 'the only 400s were the malformed requests').toBe(malformed.length);

      // ---- every answer equals predict at the weights it names, bit for bit
      const bodies = soak.requestBodies();
      const parsed = {
        one: bodies.one.map((b) => JSON.parse(b).rows as number[][]),
        batch: bodies.batch.map((b) => JSON.parse(b).rows as number[][]),
      };
      const answers = records.filter((r) => r[0] !== 'malformed');
      expect(answers.length).toBeGreaterThan(0);
      const byVersion = new Map<number, RecordRow[]>();
      for (const r of answers) {
        expect(r[3]).toBe(200);
        expect(Number.isInteger(r[2]) && r[2] >= 0 && r[2] < server.versions.length, `version ${r[2]} was held`).toBe(
          true,
        );
        byVersion.set(r[2], [...(byVersion.get(r[2]) ?? []), r]);
      }
      const oracle = await NN.create(classic({ ...soak.SHAPE, seed: 99 }));
      let compared = 0,
        mismatches = 0,
        firstMismatch = '';
      for (const [version, group] of byVersion) {
        oracle.setWeights(server.versions[version]!);
        for (const [kind, b, , , outputs] of group) {
          const expected = oracle.predict(parsed[kind as 'one' | 'batch'][b]!);
          const got = outputs as number[][];
          for (let r = 0; r < expected.length; r++) {
            for (let k = 0; k < 10; k++) {
              compared++;
              if (got[r]![k] !== expected[r]![k]) {
                if (!mismatches++)
                  firstMismatch = `${kind} body ${b} at version ${version}: row ${r} output ${k} is ${got[r]![k]}, predict gives ${expected[r]![k]}`;
              }
            }
          }
        }
      }
      oracle.dispose();
      expect(mismatches, firstMismatch).toBe(0);
      expect(compared).toBe(answers.reduce((n, r) => n + (r[0] === 'one' ? 10 : 320), 0));
      // training really moved the served weights under load, and answers came from several of them
      expect(versionAtEnd - versionAtWarm, 'epochs promoted during the measured run').toBeGreaterThanOrEqual(2);
      expect(byVersion.size, 'answers came from several weight versions').toBeGreaterThanOrEqual(3);

      // ---- training: finished, finite, and the serving network holds its result
      expect(report.stoppedBy).toBe('callback');
      expect(report.epochs).toBe(server.versions.length - 1);
      const final = trainee.getWeights();
      expect(
        [...final.weights, ...final.biases].every((a) => !a || a.every(Number.isFinite)),
        'finite weights',
      ).toBe(true);
      expect(Number.isFinite(report.error)).toBe(true);
      expect(serving.getWeights(), 'the serving network holds the trained weights').toEqual(final);

      // ---- memory
      const jsGrowth = end!.js - warm!.js,
        rssGrowth = end!.rss - warm!.rss;
      const say = (b: number): string => `${(b / MiB).toFixed(2)} MiB`;
      expect(jsGrowth, `JS heap + external grew by ${say(jsGrowth)} over ${run.requests} requests`).toBeLessThan(
        MAX_JS_GROWTH,
      );
      expect(rssGrowth, `RSS grew by ${say(rssGrowth)}`).toBeLessThan(MAX_RSS_GROWTH);
      console.log(
        `soak test: ${total} requests (${run.requests} measured in ${run.seconds.toFixed(1)} s), ` +
          `${versionAtEnd - versionAtWarm} promotions during the run, ${byVersion.size} versions answered from, ` +
          `JS heap + external ${say(jsGrowth)}, RSS ${say(rssGrowth)}`,
      );
    } finally {
      await server.close();
      serving.dispose();
      trainee.dispose();
    }
  });
});
