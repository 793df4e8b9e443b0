// The finiteness scan of inputs staged in engine memory: the first NaN or ±Infinity, found with
// SIMD, so that TypeScript can refuse the input with the same RangeError its own check gives (row
// and column) before any result is used. A float is not finite when its exponent bits are all set:
// |bits| ≥ 0x7f800000 as an unsigned integer.

const NOT_FINITE: u32 = 0x7f800000;
// Floats per block: the unsigned maxima of a block are tested once; only a block that holds a bad
// value is searched value by value.
const BLOCK: i32 = 64;

// Index of the first non-finite float among `count` floats at ptr, or −1.
export function firstNonFinite(ptr: usize, count: i32): i32 {
  const magnitude = i32x4.splat(0x7fffffff), limit = i32x4.splat(NOT_FINITE - 1);
  const blocks = count & ~(BLOCK - 1);
  let i = 0;
  for (; i < blocks; i += BLOCK) {
    const p = ptr + (<usize>i << 2);
    let m = i32x4.splat(0);
    for (let o: usize = 0; o < <usize>BLOCK << 2; o += 64) {
      m = i32x4.max_u(m, v128.and(v128.load(p + o), magnitude));
      m = i32x4.max_u(m, v128.and(v128.load(p + o, 16), magnitude));
      m = i32x4.max_u(m, v128.and(v128.load(p + o, 32), magnitude));
      m = i32x4.max_u(m, v128.and(v128.load(p + o, 48), magnitude));
    }
    if (v128.any_true(i32x4.gt_u(m, limit))) return i + firstIn(p, BLOCK);
  }
  const rest = firstIn(ptr + (<usize>i << 2), count - i);
  return rest < 0 ? -1 : i + rest;
}

// The same, value by value (a block known to hold a bad value, and the last floats).
function firstIn(ptr: usize, count: i32): i32 {
  for (let i = 0; i < count; i++) {
    if ((load<u32>(ptr + (<usize>i << 2)) & 0x7fffffff) >= NOT_FINITE) return i;
  }
  return -1;
}
