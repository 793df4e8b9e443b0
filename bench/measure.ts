/**
 * Measurement: interleaved rounds over every engine, medians and spread, and the checksum that
 * keeps every result alive so the JIT cannot delete the work.
 *
 * Every workload runs all engines in the same process, interleaved round by round (A, B, C, then
 * B, C, A, ...: the starting engine rotates). Warm-up rounds are discarded; the reported figure is
 * the median of the measured rounds. A round keeps repeating its unit of work until it has run
 * for at least `minRoundMs`. A round's time is the wall clock's, or with the 'cpu' clock the
 * process's CPU time (user and system) for runners on one thread: on a machine shared with other
 * work, a round in which the process was descheduled then still measures the kernel, not the
 * neighbours (a runner on several threads is still timed by the wall clock).
 */
import type { Runner } from './types.js';

/** How rounds are run: discarded warm-up rounds and the least time a round lasts. */
export interface RoundPlan {
  warmup: number;
  minRoundMs: number;
}

export interface Result {
  workload: string;
  engine: string;
  metric: 'samples/s' | 'GFLOPS';
  median: number | null; // null: engine has no such hook / failed
  rounds: number[];
  /** how rounds were timed */
  clock?: Clock;
  /** GEMM rows: the median as a share of the median of the ceiling the engine's build runs, in percent */
  ceilingPercent?: number | null;
  usPerRow?: number | null;
  ratioVsTextbook: number | null;
  /** against the lean hand-written MLP, in workloads where it runs */
  ratioVsLean?: number | null;
  note?: string;
}

/** Every result of the run, in the order the workloads recorded them. */
export const results: Result[] = [];

/** Sum of sampled outputs of every engine, so the JIT cannot drop the work. */
let checksum = 0;
const perEngineChecksum = new Map<string, number>();

export function keep(v: number): void {
  checksum += v;
}

/** Adds a sample of y (every 7th value) to the checksum and to the engine's own sum. */
export function keepFor(engine: string, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i += 7) s += y[i];
  perEngineChecksum.set(engine, (perEngineChecksum.get(engine) ?? 0) + s);
  checksum += s;
  return s;
}

export function checksums(): { checksum: number; perEngine: Map<string, number> } {
  return { checksum, perEngine: perEngineChecksum };
}

export function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** (max - min) / median of a result's rounds, in percent (null without rounds). */
export function spreadPercent(r: Result): number | null {
  if (!r.median) return null;
  return Math.round(((Math.max(...r.rounds) - Math.min(...r.rounds)) / r.median) * 100);
}

// No forced GC between slots: with six engines, repeated full GCs age the
// bytecode of the engines that are not running and V8 may flush it, which
// would charge re-compilation to them. Rotating the order spreads GC pauses
// caused by one engine's garbage over all engines instead.

export type Clock = 'wall' | 'cpu';

/** Seconds of CPU time (user and system) this process has used. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Interleaved rounds. `unit(adapter)` does one unit of work and returns
 * [amount of work (samples or FLOPs), seconds]; with the wall clock it may time itself (GEMM
 * hooks) or leave timing to us by returning seconds < 0; the CPU clock times whole rounds.
 */
export async function interleave<T extends Runner>(
  plan: RoundPlan,
  adapters: T[],
  rounds: number,
  unit: (a: T) => [number, number],
  clock: Clock = 'wall',
): Promise<Map<T, number[] | Error>> {
  const rates = new Map<T, number[] | Error>(adapters.map((a) => [a, [] as number[]]));
  for (let r = 0; r < plan.warmup + rounds; r++) {
    // rotate the starting engine every round (A,B,C / B,C,A / C,A,B ...) so no
    // engine always runs right after the same neighbour
    for (let i = 0; i < adapters.length; i++) {
      const a = adapters[(i + r) % adapters.length];
      const acc = rates.get(a)!;
      if (acc instanceof Error) continue;
      try {
        await a.activate?.();
        let work = 0;
        let secs = 0;
        const byCpu = clock === 'cpu' && (a.threads ?? 1) <= 1;
        const c0 = cpuSeconds();
        const t0 = performance.now();
        do {
          const [w, s] = unit(a);
          work += w;
          secs += s >= 0 ? s : 0;
        } while (performance.now() - t0 < plan.minRoundMs);
        const wall = (performance.now() - t0) / 1000;
        const self = byCpu ? cpuSeconds() - c0 : secs > 0 ? secs : wall;
        if (r >= plan.warmup) acc.push(work / self);
      } catch (e) {
        rates.set(a, e as Error);
      }
    }
  }
  return rates;
}

/** Records one workload's medians; ratios are against the first adapter (and the one named 'lean'). */
export function record<T extends Runner>(
  workload: string,
  metric: Result['metric'],
  adapters: T[],
  rates: Map<T, number[] | Error>,
  extra?: (a: T, med: number) => Partial<Result>,
): void {
  const medianOf = (a: T | undefined): number | null => {
    const v = a && rates.get(a);
    return Array.isArray(v) && v.length ? median(v) : null;
  };
  const baseMed = medianOf(adapters[0]);
  const lean = adapters.find((a) => a.name === 'lean');
  const leanMed = medianOf(lean);
  for (const a of adapters) {
    const v = rates.get(a);
    if (v === undefined || v instanceof Error || v.length === 0) {
      results.push({
        workload,
        engine: a.name,
        metric,
        median: null,
        rounds: [],
        ratioVsTextbook: null,
        note: v instanceof Error ? `error: ${v.message.split('\n')[0]}` : undefined,
      });
      continue;
    }
    const med = median(v);
    results.push({
      workload,
      engine: a.name,
      metric,
      median: med,
      rounds: v,
      ratioVsTextbook: baseMed ? med / baseMed : null,
      ...(lean ? { ratioVsLean: leanMed ? med / leanMed : null } : {}),
      ...(extra ? extra(a, med) : {}),
    });
  }
}

/** A result row for an engine that could not take part in a workload. */
export function recordFailure(workload: string, engine: string, note: string): void {
  results.push({ workload, engine, metric: 'samples/s', median: null, rounds: [], ratioVsTextbook: null, note });
}
