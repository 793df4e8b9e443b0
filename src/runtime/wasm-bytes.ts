// The surgery on the Wasm builds' bytes, in one place: the bundle embeds the plain SIMD build
// deflated, plus a patch that turns it into the relaxed-SIMD build (scripts/bundle.mjs makes both
// with the functions here, and the bundle unpacks them at load with the same functions); and an
// engine on an unshared memory runs the build with its memory import's limits flag turned to
// unshared. Everything here runs synchronously, so that NN.createSync keeps working.

// ---- raw DEFLATE --------------------------------------------------------------------------------
// A small decoder (RFC 1951, after zlib's puff.c): deflated bytes in base64 gzip smaller than the
// raw bytes in base64, whose 3-byte groups hide repeats from gzip. DecompressionStream
// would do it, but only asynchronously.

// base values and extra bits of the length codes 257..285 and the distance codes 0..29
const LEXT: number[] = [],
  LBASE: number[] = [],
  DEXT: number[] = [],
  DBASE: number[] = [];
for (let i = 0, base = 3; i < 29; i++) {
  LEXT[i] = i < 8 || i === 28 ? 0 : (i >> 2) - 1;
  LBASE[i] = i === 28 ? 258 : base;
  base += 1 << LEXT[i]!;
}
for (let i = 0, base = 1; i < 30; i++) {
  DEXT[i] = i < 4 ? 0 : (i >> 1) - 1;
  DBASE[i] = base;
  base += 1 << DEXT[i]!;
}
const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code: the count of codes of each length, and the symbols sorted by code. */
interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
}

function huffman(lengths: readonly number[]): Huffman {
  const count = new Uint16Array(16),
    offs = new Uint16Array(16),
    symbol = new Uint16Array(lengths.length);
  for (const l of lengths) count[l]!++;
  count[0] = 0;
  for (let l = 1; l < 16; l++) offs[l] = offs[l - 1]! + count[l - 1]!;
  lengths.forEach((l, s) => {
    if (l) symbol[offs[l]!++] = s;
  });
  return { count, symbol };
}

/** Inflates raw DEFLATE data `src` into `size` bytes (the size is known when embedding). */
export function inflateRaw(src: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let at = 0,
    pos = 0,
    buf = 0,
    cnt = 0;
  const bits = (n: number): number => {
    while (cnt < n) {
      buf |= src[pos++]! << cnt;
      cnt += 8;
    }
    const v = buf & ((1 << n) - 1);
    buf >>>= n;
    cnt -= n;
    return v;
  };
  const decode = ({ count, symbol }: Huffman): number => {
    let code = 0,
      first = 0,
      index = 0;
    for (let l = 1; l < 16; l++) {
      code |= bits(1);
      const c = count[l]!;
      if (code - c < first) return symbol[index + code - first]!;
      index += c;
      first = (first + c) << 1;
      code <<= 1;
    }
    throw new Error('simdnet: corrupt embedded Wasm');
  };
  let last: number;
  do {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      buf = cnt = 0;
      const len = src[pos]! | (src[pos + 1]! << 8);
      out.set(src.subarray(pos + 4, pos + 4 + len), at);
      pos += 4 + len;
      at += len;
      continue;
    }
    let lit: Huffman, dist: Huffman;
    if (type === 1) {
      lit = huffman(Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8)));
      dist = huffman(new Array<number>(30).fill(5));
    } else {
      const nlen = bits(5) + 257,
        ndist = bits(5) + 1,
        ncode = bits(4) + 4;
      const cl = new Array<number>(19).fill(0);
      for (let i = 0; i < ncode; i++) cl[ORDER[i]!] = bits(3);
      const clTable = huffman(cl),
        lengths: number[] = [];
      while (lengths.length < nlen + ndist) {
        const s = decode(clTable);
        if (s < 16) lengths.push(s);
        else if (s === 16) {
          const prev = lengths[lengths.length - 1]!;
          for (let r = 3 + bits(2); r > 0; r--) lengths.push(prev);
        } else for (let r = s === 17 ? 3 + bits(3) : 11 + bits(7); r > 0; r--) lengths.push(0);
      }
      lit = huffman(lengths.slice(0, nlen));
      dist = huffman(lengths.slice(nlen));
    }
    for (let s = decode(lit); s !== 256; s = decode(lit)) {
      if (s < 256) {
        out[at++] = s;
        continue;
      }
      const len = LBASE[s - 257]! + bits(LEXT[s - 257]!);
      const d = decode(dist),
        back = DBASE[d]! + bits(DEXT[d]!);
      for (let i = 0; i < len; i++, at++) out[at] = out[at - back]!;
    }
  } while (!last);
  return out;
}

// ---- a patch from one build to another -----------------------------------------------------------
// Both builds come from one source, so the bundle carries one build plus the few places where the
// other differs, instead of two nearly identical base64 strings that gzip cannot share.
// Format, every number unsigned LEB128: repeated [literalLength, literal bytes…, copyLength,
// copyOffset]; a copyLength of 0 ends the patch after its literal.

/** Applies a patch made by makePatch to base. */
export function applyPatch(base: Uint8Array, patch: Uint8Array): Uint8Array<ArrayBuffer> {
  let at = 0;
  const leb = (): number => {
    let v = 0,
      shift = 0,
      b: number;
    do {
      b = patch[at++]!;
      v += (b & 127) * 2 ** shift;
      shift += 7;
    } while (b & 128);
    return v;
  };
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const lit = leb();
    parts.push(patch.subarray(at, at + lit));
    at += lit;
    total += lit;
    const len = leb();
    if (len === 0) break;
    const from = leb();
    parts.push(base.subarray(from, from + len));
    total += len;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const MIN_COPY = 8;

/** A patch turning base into target (at build time): greedy matching against an index of base's 8-byte windows. */
export function makePatch(base: Uint8Array, target: Uint8Array): Uint8Array {
  const key = (a: Uint8Array, i: number): string => String.fromCharCode(...a.subarray(i, i + MIN_COPY));
  const index = new Map<string, number[]>();
  for (let i = 0; i + MIN_COPY <= base.length; i++) {
    const k = key(base, i);
    const list = index.get(k);
    if (list) list.push(i);
    else index.set(k, [i]);
  }
  const out: number[] = [];
  const leb = (v: number): void => {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v) b |= 128;
      out.push(b);
    } while (v);
  };
  let literal: number[] = [];
  const flush = (len: number, from: number): void => {
    leb(literal.length);
    out.push(...literal);
    literal = [];
    leb(len);
    if (len) leb(from);
  };
  let i = 0;
  while (i < target.length) {
    let best = 0,
      bestFrom = 0;
    if (i + MIN_COPY <= target.length) {
      for (const from of index.get(key(target, i)) ?? []) {
        let n = 0;
        while (i + n < target.length && from + n < base.length && target[i + n] === base[from + n]) n++;
        if (n > best) {
          best = n;
          bestFrom = from;
        }
        if (best > 4096) break;
      }
    }
    if (best >= MIN_COPY) {
      flush(best, bestFrom);
      i += best;
    } else literal.push(target[i++]!);
  }
  flush(0, 0);
  return Uint8Array.from(out);
}

// ---- the memory import ----------------------------------------------------------------------------

/** Where the limits flag of the module's memory import is (a walk over its import section). */
export function memoryLimitsOffset(bytes: Uint8Array): number {
  let at = 8; // magic and version
  const leb = (): number => {
    let v = 0,
      shift = 0,
      b: number;
    do {
      b = bytes[at++]!;
      v += (b & 127) * 2 ** shift;
      shift += 7;
    } while (b & 128);
    return v;
  };
  const skipName = (): void => {
    const length = leb();
    at += length;
  };
  while (at < bytes.length) {
    const id = bytes[at++]!,
      size = leb(),
      end = at + size;
    if (id === 2) {
      for (let count = leb(); count > 0; count--) {
        skipName();
        skipName();
        const kind = bytes[at++]!;
        if (kind === 2) return at; // memory: limits flag, then initial (and maximum)
        if (kind === 0)
          leb(); // function: type index
        else if (kind === 1) {
          at++;
          const flag = leb();
          leb();
          if (flag & 1) leb();
        } // table
        else at += 2; // global: value type, mutability
      }
    }
    at = end;
  }
  throw new Error('simdnet: the Wasm module imports no memory');
}

/**
 * A build's bytes with its memory import's limits flag turned to unshared (0x03 → 0x01, the one
 * byte in which the two modules differ; the atomics in the module are valid on either), for an
 * engine whose memory no helper shares.
 */
export function unshared(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  copy[memoryLimitsOffset(bytes)] = 0x01;
  return copy;
}
