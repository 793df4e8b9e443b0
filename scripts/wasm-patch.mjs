// A byte patch that rebuilds one Wasm build from another (the relaxed-SIMD build from the plain
// SIMD one): both come from the same source, so the bundle carries one build plus the few places
// where the other differs, instead of two nearly identical base64 strings that gzip cannot share.
//
// Patch format, all numbers unsigned LEB128: repeated [literalLength, literal bytes...,
// copyLength, copyOffset]; copyLength 0 ends the patch after its literal.

/** Applies a patch made by makePatch to base; runs in the bundle, so plain ES2022, no imports. */
export function applyPatch(base, patch) {
  let at = 0;
  const leb = () => {
    let v = 0,
      shift = 0,
      b;
    do {
      b = patch[at++];
      v += (b & 127) * 2 ** shift;
      shift += 7;
    } while (b & 128);
    return v;
  };
  const parts = [];
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

/** A patch turning base into target: greedy matching against an index of base's 8-byte windows. */
export function makePatch(base, target) {
  const index = new Map();
  const key = (a, i) => Buffer.from(a.subarray(i, i + MIN_COPY)).toString('latin1');
  for (let i = 0; i + MIN_COPY <= base.length; i++) {
    const k = key(base, i);
    if (!index.has(k)) index.set(k, []);
    index.get(k).push(i);
  }
  const out = [];
  const leb = (v) => {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v) b |= 128;
      out.push(b);
    } while (v);
  };
  let literal = [];
  const flush = (len, from) => {
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
    } else literal.push(target[i++]);
  }
  flush(0, 0);
  return Uint8Array.from(out);
}
