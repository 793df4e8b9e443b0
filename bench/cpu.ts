/**
 * The CPU as the operating system reports it, for the report's header: the model name with its
 * family and model numbers (/proc/cpuinfo) and the per-core data caches (sysfs), since the GEMM
 * percentages mean little without the core they were measured on. Elsewhere than Linux, the model
 * name from os.cpus() alone.
 */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
};

/** "L1d 48K, L2 2048K" for cpu0: the data and unified caches of levels 1 and 2, as sysfs lists them. */
function caches(): string | null {
  const dir = '/sys/devices/system/cpu/cpu0/cache';
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((e) => e.startsWith('index'));
  } catch {
    return null;
  }
  const found: string[] = [];
  for (const e of entries.sort()) {
    const level = read(`${dir}/${e}/level`),
      type = read(`${dir}/${e}/type`),
      size = read(`${dir}/${e}/size`);
    if (!level || !size || type === 'Instruction' || Number(level) > 2) continue;
    found.push(`L${level}${type === 'Data' ? 'd' : ''} ${size}`);
  }
  return found.length ? found.join(', ') : null;
}

/** The CPU's model name, vendor family and model, and per-core L1d/L2 sizes. */
export function cpuDescription(): string {
  const info = read('/proc/cpuinfo');
  const field = (name: string): string | undefined =>
    info?.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
  const name = field('model name') ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const family = field('cpu family'),
    model = field('model');
  const flags = ` ${field('flags') ?? ''} `;
  const features = ['fma', 'avx2', 'avx512f'].filter((f) => flags.includes(` ${f} `));
  const parts = [name];
  if (family && model) parts.push(`family ${family} model ${model}`);
  if (features.length) parts.push(features.join(' '));
  const c = caches();
  if (c) parts.push(`${c} per core`);
  return parts.join(', ');
}

/** Bytes of the last-level cache, as Linux reports it; 64 MiB where it does not. */
export function lastLevelCache(): number {
  for (const index of [3, 2]) {
    const text = read(`/sys/devices/system/cpu/cpu0/cache/index${index}/size`);
    const m = text && /^(\d+)([KMG]?)$/.exec(text);
    if (m) return Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as '' | 'K' | 'M' | 'G'];
  }
  return 64 << 20;
}
