// A small synchronous raw-DEFLATE decoder (RFC 1951, after zlib's puff.c), bundled into
// dist/index.js to unpack the embedded Wasm: deflated bytes in base64 gzip to about 20% less than
// the raw bytes in base64, whose 3-byte groups hide repeats from gzip. Synchronous so that
// NN.createSync keeps working (DecompressionStream is async only).

// base values and extra bits of the length codes 257..285 and the distance codes 0..29
const LEXT = [],
  LBASE = [],
  DEXT = [],
  DBASE = [];
for (let i = 0, base = 3; i < 29; i++) {
  LEXT[i] = i < 8 || i === 28 ? 0 : (i >> 2) - 1;
  LBASE[i] = i === 28 ? 258 : base;
  base += 1 << LEXT[i];
}
for (let i = 0, base = 1; i < 30; i++) {
  DEXT[i] = i < 4 ? 0 : (i >> 1) - 1;
  DBASE[i] = base;
  base += 1 << DEXT[i];
}
const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Inflates raw DEFLATE data `src` into `size` bytes (the size is known when embedding). */
export function inflateRaw(src, size) {
  const out = new Uint8Array(size);
  let at = 0,
    pos = 0,
    buf = 0,
    cnt = 0;
  const bits = (n) => {
    while (cnt < n) {
      buf |= src[pos++] << cnt;
      cnt += 8;
    }
    const v = buf & ((1 << n) - 1);
    buf >>>= n;
    cnt -= n;
    return v;
  };
  // canonical Huffman code: count of codes per length, symbols sorted by code
  const table = (lengths) => {
    const count = new Uint16Array(16),
      offs = new Uint16Array(16),
      symbol = new Uint16Array(lengths.length);
    for (const l of lengths) count[l]++;
    count[0] = 0;
    for (let l = 1; l < 16; l++) offs[l] = offs[l - 1] + count[l - 1];
    lengths.forEach((l, s) => {
      if (l) symbol[offs[l]++] = s;
    });
    return { count, symbol };
  };
  const decode = ({ count, symbol }) => {
    let code = 0,
      first = 0,
      index = 0;
    for (let l = 1; l < 16; l++) {
      code |= bits(1);
      const c = count[l];
      if (code - c < first) return symbol[index + code - first];
      index += c;
      first = (first + c) << 1;
      code <<= 1;
    }
    throw new Error('simdnet: corrupt embedded Wasm');
  };
  let last;
  do {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      buf = cnt = 0;
      const len = src[pos] | (src[pos + 1] << 8);
      out.set(src.subarray(pos + 4, pos + 4 + len), at);
      pos += 4 + len;
      at += len;
      continue;
    }
    let lit, dist;
    if (type === 1) {
      lit = table(Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8)));
      dist = table(new Array(30).fill(5));
    } else {
      const nlen = bits(5) + 257,
        ndist = bits(5) + 1,
        ncode = bits(4) + 4;
      const cl = new Array(19).fill(0);
      for (let i = 0; i < ncode; i++) cl[ORDER[i]] = bits(3);
      const clTable = table(cl),
        lengths = [];
      while (lengths.length < nlen + ndist) {
        const s = decode(clTable);
        if (s < 16) lengths.push(s);
        else if (s === 16) {
          const prev = lengths[lengths.length - 1];
          for (let r = 3 + bits(2); r > 0; r--) lengths.push(prev);
        } else for (let r = s === 17 ? 3 + bits(3) : 11 + bits(7); r > 0; r--) lengths.push(0);
      }
      lit = table(lengths.slice(0, nlen));
      dist = table(lengths.slice(nlen));
    }
    for (let s = decode(lit); s !== 256; s = decode(lit)) {
      if (s < 256) {
        out[at++] = s;
        continue;
      }
      const len = LBASE[s - 257] + bits(LEXT[s - 257]);
      const d = decode(dist),
        back = DBASE[d] + bits(DEXT[d]);
      for (let i = 0; i < len; i++, at++) out[at] = out[at - back];
    }
  } while (!last);
  return out;
}
