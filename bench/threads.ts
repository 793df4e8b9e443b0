/**
 * The threads targets: what `threads` is held to, each ratio measured in this process with the
 * one-thread and threaded networks interleaved round by round (the median of the rounds and the
 * best round, which neighbours on a shared machine disturb least). Inference of 784-128-10 on
 * 2,000 rows as one Float32Array, as Float32Array rows and as number[] rows (the conversion runs on
 * the calling thread); the training targets, taken from the run's results (workloads.ts); and two
 * copies of the library in one process, each with its own helpers, trained alternately: one
 * network's ratio alone, and beside the other copy's.
 */
import { build } from 'esbuild';
import { pathToFileURL } from 'node:url';
import { NN } from '../src/index.js';
import { makeClassification } from './data.js';
import { keep, median, results } from './measure.js';

/** The network of every threads target: inputs as they are (no normaliser), so that predict takes the scan path. */
const NETWORK = { layers: [784, 128, 10], activation: 'relu', output: 'softmax', normalize: 'none' } as const;

/** Seconds per unit of work of each contender, round by round (interleaved, the first one rotating). */
async function rounds(units: (() => void)[], count: number, minRoundMs: number): Promise<number[][]> {
  const seconds = units.map(() => [] as number[]);
  for (let r = -1; r < count; r++) {
    for (let i = 0; i < units.length; i++) {
      const which = (i + Math.max(r, 0)) % units.length;
      let n = 0;
      const t0 = performance.now();
      do {
        units[which]!();
        n++;
      } while (performance.now() - t0 < minRoundMs);
      if (r >= 0) seconds[which]!.push((performance.now() - t0) / 1000 / n);
    }
    await new Promise((resolve) => setTimeout(resolve, 0)); // let finalizers and the event loop run
  }
  return seconds;
}

/** A target's line: the ratio of one thread's time to the threaded one's, as medians and as best rounds. */
interface Ratio {
  target: string;
  goal: number;
  median: number | null;
  best: number | null;
  note?: string;
}

const ratioOf = (target: string, goal: number, one: number[], many: number[], note?: string): Ratio => ({
  target,
  goal,
  median: median(one) / median(many),
  best: Math.min(...one) / Math.min(...many),
  note,
});

/** The same from the run's results (rates in samples/s): threaded over one thread. */
function fromResults(target: string, goal: number, workload: string, threadedName: string): Ratio {
  const one = results.find((r) => r.workload === workload && r.engine === 'simdnet-wasm');
  const many = results.find((r) => r.workload === workload && r.engine === threadedName);
  if (!one?.median || !many?.median) return { target, goal, median: null, best: null, note: 'not measured' };
  return {
    target,
    goal,
    median: many.median / one.median,
    best: Math.max(...many.rounds) / Math.max(...one.rounds),
  };
}

export interface ThreadsPlan {
  threads: number;
  quick: boolean;
  rounds: number;
  minRoundMs: number;
  deepWorkload: string;
  say: (s: string) => void;
}

/** Inference of 2,000 rows in its three input forms, one thread against `threads`. */
async function inference(plan: ThreadsPlan): Promise<Ratio[]> {
  const rows = plan.quick ? 512 : 2000;
  const { x } = makeClassification(rows, 784, 10, 99);
  const floatRows = Array.from({ length: rows }, (_, r) => x.subarray(r * 784, (r + 1) * 784));
  const numberRows = floatRows.map((row) => Array.from(row));
  const options = { ...NETWORK, seed: 42 };
  const [one, many] = await Promise.all([1, plan.threads].map((threads) => NN.create({ ...options, threads })));
  const out: Ratio[] = [];
  for (const [form, input] of [
    ['one Float32Array', x],
    ['Float32Array rows', floatRows],
    ['number[] rows', numberRows],
  ] as const) {
    plan.say(`  threads: infer 784-128-10, ${rows} rows as ${form}`);
    const [a, b] = await rounds(
      [one!, many!].map((net) => () => {
        const y = net.predict(input as Float32Array);
        keep((y as ArrayLike<unknown>).length);
      }),
      plan.rounds,
      plan.minRoundMs,
    );
    out.push(
      ratioOf(
        `infer 784-128-10, ${rows} rows, ${form}`,
        1.8,
        a!,
        b!,
        `${(median(a!) * 1e3).toFixed(2)} ms on one thread`,
      ),
    );
  }
  for (const net of [one!, many!]) net.dispose();
  return out;
}

/**
 * Two copies of the library in one process (the core bundled twice, as two bundles of an
 * application would hold it), each with its own engine and helpers: 784-128-10 at batch 32 on one
 * thread and on `threads` in copy A, alone and alternating round by round with a threaded network
 * of copy B. Helpers that spin long after their copy's last job would slow the other copy's.
 */
async function twoCopies(plan: ThreadsPlan): Promise<Ratio[]> {
  const outfile = 'dist/bench-library-copy.js';
  await build({
    entryPoints: ['src/index.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    loader: { '.wasm': 'binary' },
    logLevel: 'warning',
  });
  const url = pathToFileURL(outfile).href;
  const [a, b] = (await Promise.all([import(`${url}?copy=a`), import(`${url}?copy=b`)])) as { NN: typeof NN }[];
  const rows = plan.quick ? 256 : 1024;
  const data = makeClassification(rows, 784, 10, 7);
  const options = { ...NETWORK, seed: 3 };
  const train = {
    epochs: 1,
    batchSize: 32,
    learningRate: 0.01,
    optimizer: 'sgd',
    shuffle: false,
    evaluate: false,
  } as const;
  const [one, many] = await Promise.all([1, plan.threads].map((threads) => a!.NN.create({ ...options, threads })));
  const other = await b!.NN.create({ ...options, threads: plan.threads });
  const epoch = (net: NN) => () => net.train(data.x, data.t, train);
  plan.say(`  threads: two copies of the library, 784-128-10 b32, copy A alone`);
  const [aloneOne, aloneMany] = await rounds([epoch(one!), epoch(many!)], plan.rounds, plan.minRoundMs);
  plan.say(`  threads: two copies of the library, copy A beside copy B`);
  const [besideOne, besideMany, otherMany] = await rounds(
    [epoch(one!), epoch(many!), epoch(other)],
    plan.rounds,
    plan.minRoundMs,
  );
  // what an idle copy costs the other: the CPU its helpers burn after its last job (spinning)
  const idle: number[] = [];
  for (let i = 0; i < 16; i++) {
    epoch(other)();
    const c0 = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const c = process.cpuUsage(c0);
    if (i > 0) idle.push((c.user + c.system) / 1000);
  }
  idleNote = `idle helpers: the process's CPU time in the 30 ms after a threaded training call, the main thread waiting on a timer: median ${median(idle).toFixed(2)} ms`;
  for (const net of [one!, many!, other]) net.dispose();
  return [
    ratioOf('train 784-128-10 b32, copy A alone', 1.2, aloneOne!, aloneMany!),
    ratioOf('the same, copy B training alternately', 1.2, besideOne!, besideMany!),
    ratioOf("copy B's threaded network, against A's one thread", 1.2, besideOne!, otherMany!),
  ];
}

/** What twoCopies measured of idle helpers, printed under the table. */
let idleNote = '';

/** Runs the threads workloads of its own and prints every threads target beside its goal. */
export async function threadsTargets(plan: ThreadsPlan): Promise<void> {
  const t = `simdnet-wasm-t${plan.threads}`;
  const ratios = [
    ...(await inference(plan)),
    fromResults(`train ${plan.deepWorkload.slice('train '.length)}`, 1.8, plan.deepWorkload, t),
    fromResults('train 784-128-10 b128', 1.5, 'train 784-128-10 b128', t),
    fromResults('train 784-128-10 b32', 1.2, 'train 784-128-10 b32', t),
    ...['3-4-3 article', '16-32-8 sigmoid', '16-32-8 tanh'].flatMap((net) =>
      [1, 4].map((batch) => {
        const workload = results.find((r) => r.workload.startsWith(`train ${net} b${batch} `))?.workload ?? '';
        return fromResults(`train ${net} b${batch} (one thread in effect)`, 0.95, workload, t);
      }),
    ),
    ...(await twoCopies(plan)),
  ];
  const say = plan.say;
  say('');
  say(`## threads targets: ${plan.threads} threads against one (same process, interleaved)`);
  say('');
  say('| target | goal | ratio of medians | ratio of best rounds | |');
  say('|---|--:|--:|--:|---|');
  const fmt = (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)}×`);
  for (const r of ratios) {
    const holds =
      r.median === null
        ? ''
        : r.median >= r.goal
          ? 'holds'
          : r.best !== null && r.best >= r.goal
            ? 'best round only'
            : 'below';
    say(
      `| ${r.target} | ≥ ${r.goal.toFixed(2)}× | ${fmt(r.median)} | ${fmt(r.best)} | ${[holds, r.note].filter(Boolean).join('; ')} |`,
    );
  }
  if (idleNote) {
    say('');
    say(idleNote);
  }
}
