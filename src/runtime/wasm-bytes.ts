// The surgery on the Wasm builds' bytes, in one place: the bundle embeds both builds compressed
// together (scripts/bundle.mjs compresses them and checks that `unpack` gives them back; the bundle
// unpacks them at load); and an engine on an unshared memory runs the build with its memory
// import's limits flag turned to unshared. Everything here runs synchronously, so that
// NN.createSync keeps working.

// ---- LZMA -------------------------------------------------------------------------------------
// A small decoder for the LZMA stream scripts/bundle.mjs writes: the plain build followed by the
// relaxed build, compressed together. LZMA's long matches and repeated distances find the second
// build in the first (function indices that shift by one cost a few bits each), which DEFLATE's
// 32 KB window and short matches could not; no byte patch is needed. The stream has no header and
// no end marker (the size is known when embedding), and the encoder's fixed properties: three
// bits of the previous byte as the literals' context, two bits of the position as the state's.

// where each group of probabilities starts in the one table (11-bit probabilities of a 0 bit)
const IS_MATCH = 0, // [state][position & 3]
  IS_REP = 48, // [state]
  IS_REP_G0 = 60,
  IS_REP_G1 = 72,
  IS_REP_G2 = 84,
  IS_REP0_LONG = 96, // [state][position & 3]
  SLOT = 144, // [min(length, 3)][64], the distance's slot
  SPECIAL = 400, // the low bits of distances of slots 4 to 13
  ALIGN = 514, // the low four bits of larger distances
  LENGTH = 530, // a length coder: choice, choice2, low [4][8], mid [4][8], high [256]
  REP_LENGTH = 852,
  LITERAL = 1174; // [previous byte >> 5][0x300]

/** Decodes `size` bytes from an LZMA stream (lc 3, lp 0, pb 2) without header or end marker. */
export function unpack(src: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size),
    p = new Uint16Array(LITERAL + 8 * 0x300).fill(1024);
  // the range decoder: range and code are unsigned 32-bit values, kept as exact doubles
  let range = 2 ** 32 - 1,
    code = ((src[1]! << 24) | (src[2]! << 16) | (src[3]! << 8) | src[4]!) >>> 0,
    at = 5;
  const normalize = (): void => {
    if (range < 2 ** 24) {
      range *= 256;
      code = code * 256 + src[at++]!;
    }
  };
  const bit = (i: number): number => {
    const prob = p[i]!,
      bound = (range >>> 11) * prob;
    let b = 0;
    if (code < bound) {
      range = bound;
      p[i] = prob + ((2048 - prob) >> 5);
    } else {
      range -= bound;
      code -= bound;
      p[i] = prob - (prob >> 5);
      b = 1;
    }
    normalize();
    return b;
  };
  const direct = (count: number): number => {
    let v = 0;
    for (; count > 0; count--) {
      range = Math.floor(range / 2);
      const b = code >= range ? 1 : 0;
      code -= b * range;
      v = v * 2 + b;
      normalize();
    }
    return v;
  };
  // a bit tree, most significant bit first, and its reverse
  const tree = (base: number, bits: number): number => {
    let m = 1;
    for (let i = 0; i < bits; i++) m = m * 2 + bit(base + m);
    return m - (1 << bits);
  };
  const reverse = (base: number, bits: number): number => {
    let m = 1,
      v = 0;
    for (let i = 0; i < bits; i++) {
      const b = bit(base + m);
      m = m * 2 + b;
      v |= b << i;
    }
    return v;
  };
  // a match's length less 2
  const length = (base: number, posState: number): number =>
    !bit(base)
      ? tree(base + 2 + posState * 8, 3)
      : !bit(base + 1)
        ? 8 + tree(base + 34 + posState * 8, 3)
        : 16 + tree(base + 66, 8);

  // the last four distances (less 1), and the state: below 7 after a literal
  let state = 0,
    rep0 = 0,
    rep1 = 0,
    rep2 = 0,
    rep3 = 0,
    pos = 0;
  while (pos < size) {
    const posState = pos & 3;
    if (!bit(IS_MATCH + state * 4 + posState)) {
      const base = LITERAL + 0x300 * (pos > 0 ? out[pos - 1]! >> 5 : 0);
      let s = 1;
      // after a match the literal is coded against the byte at the last distance, while they agree
      if (state >= 7) {
        let match = out[pos - rep0 - 1]!;
        do {
          const m = (match >> 7) & 1;
          match <<= 1;
          const b = bit(base + 0x100 + m * 0x100 + s);
          s = s * 2 + b;
          if (m !== b) break;
        } while (s < 0x100);
      }
      while (s < 0x100) s = s * 2 + bit(base + s);
      out[pos++] = s - 0x100;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len: number;
    if (!bit(IS_REP + state)) {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = length(LENGTH, posState);
      state = state < 7 ? 7 : 10;
      const slot = tree(SLOT + Math.min(len, 3) * 64, 6);
      if (slot < 4) rep0 = slot;
      else {
        const bits = (slot >> 1) - 1;
        rep0 = (2 | (slot & 1)) << bits;
        rep0 += slot < 14 ? reverse(SPECIAL + rep0 - slot - 1, bits) : direct(bits - 4) * 16 + reverse(ALIGN, 4);
      }
    } else {
      if (!bit(IS_REP_G0 + state)) {
        if (!bit(IS_REP0_LONG + state * 4 + posState)) {
          // one byte at the last distance
          state = state < 7 ? 9 : 11;
          out[pos] = out[pos - rep0 - 1]!;
          pos++;
          continue;
        }
      } else {
        let distance: number;
        if (!bit(IS_REP_G1 + state)) distance = rep1;
        else {
          if (!bit(IS_REP_G2 + state)) distance = rep2;
          else {
            distance = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = distance;
      }
      len = length(REP_LENGTH, posState);
      state = state < 7 ? 8 : 11;
    }
    if (rep0 >= pos) throw new Error('simdnet: corrupt embedded Wasm');
    for (len += 2; len > 0 && pos < size; len--, pos++) out[pos] = out[pos - rep0 - 1]!;
  }
  return out;
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
