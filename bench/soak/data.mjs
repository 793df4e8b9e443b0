// The soak's workload, shared by the server's process and the load generator's: the network's
// shape, synthetic labelled digits for training, and the request bodies (1-row, 32-row and
// malformed) with the order the generator sends them in.

export const SHAPE = Object.freeze({
  layers: [784, 128, 10],
  activation: 'relu',
  output: 'softmax',
  loss: 'cross-entropy',
  // the server takes the trainee's weights as they are, so both see raw inputs
  normalize: 'none',
});
const INPUTS = 784;
/** Outputs (classes) of the network. */
export const OUTPUTS = 10;
const CLASSES = OUTPUTS;

// ---- data ----------------------------------------------------------------------------------------

/** xorshift32 in [0, 1) */
function random(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s >>> 8) / 16777216;
  };
}

/**
 * Ten "digit" prototypes: a shared sparse background (70% dark pixels) with 60 pixels of their own
 * lit; a sample is its class's prototype, scaled and noisy, in [0, 1] (learnable, not trivially).
 */
function prototypes(seed) {
  const r = random(seed);
  const common = Float32Array.from({ length: INPUTS }, () => (r() < 0.7 ? 0 : r()));
  return Array.from({ length: CLASSES }, () => {
    const p = common.slice();
    for (let k = 0; k < 60; k++) p[Math.floor(r() * INPUTS)] = 0.5 + 0.5 * r();
    return p;
  });
}

function sample(proto, r, out, at) {
  const scale = 0.7 + 0.3 * r();
  for (let i = 0; i < INPUTS; i++)
    out[at + i] = Math.round(Math.min(1, Math.max(0, proto[i] * scale + 0.8 * (r() - 0.5))) * 1000) / 1000;
}

/**
 * `rows` labelled rows (class = row % 10, one label in ten replaced by a random one, so the loss
 * stays above zero), deterministic: x is rows × 784 in [0, 1], t one-hot.
 */
export function syntheticData(rows, seed = 1) {
  const protos = prototypes(seed),
    r = random(seed + 1);
  const x = new Float32Array(rows * INPUTS),
    t = new Float32Array(rows * OUTPUTS);
  for (let i = 0; i < rows; i++) {
    sample(protos[i % CLASSES], r, x, i * INPUTS);
    t[i * OUTPUTS + (r() < 0.1 ? Math.floor(r() * CLASSES) : i % CLASSES)] = 1;
  }
  return { x, t };
}

/** Rows of the same distribution as plain number arrays (values with three decimals: short JSON). */
function requestRows(count, seed) {
  const protos = prototypes(1),
    r = random(seed);
  const flat = new Float64Array(INPUTS);
  return Array.from({ length: count }, (_, k) => {
    sample(protos[(seed + k) % CLASSES], r, flat, 0);
    return Array.from(flat);
  });
}

const row = (seed) => requestRows(1, seed)[0];
/**
 * Malformed request bodies: what a confused or hostile client sends. Each must get a 400 whose
 * message names the offending field; `field` is what that message must contain.
 */
export const MALFORMED = Object.freeze([
  { name: 'short row', body: () => JSON.stringify({ rows: [row(1).slice(1)] }), field: 'input[0].length' },
  { name: 'long row', body: () => JSON.stringify({ rows: [row(2), [...row(3), 0.5]] }), field: 'input[1].length' },
  {
    name: 'string value',
    body: () => JSON.stringify({ rows: [Object.assign(row(4), { 5: 'x' })] }),
    field: 'input[0][5]',
  },
  {
    name: 'null value',
    body: () => JSON.stringify({ rows: [row(5), Object.assign(row(6), { 9: null })] }),
    field: 'input[1][9]',
  },
  {
    name: 'infinite value (1e999)',
    body: () => JSON.stringify({ rows: [row(7)] }).replace(/^(\{"rows":\[\[(?:[^,]*,){7})[^,]*/, '$11e999'),
    field: 'input[0][7]',
  },
  {
    name: 'beyond float32 (1e300)',
    body: () => JSON.stringify({ rows: [Object.assign(row(8), { 3: 1e300 })] }),
    field: 'input[0][3]',
  },
  { name: 'no rows', body: () => JSON.stringify({ row: [row(9)] }), field: 'input' },
  { name: 'zero rows', body: () => JSON.stringify({ rows: [] }), field: 'input' },
  { name: 'rows not an array', body: () => JSON.stringify({ rows: 'all of them' }), field: 'input' },
  { name: 'null row', body: () => JSON.stringify({ rows: [row(10), null] }), field: 'input[1]' },
  { name: 'body not JSON', body: () => JSON.stringify({ rows: [row(11)] }).slice(0, 900), field: 'body' },
  { name: 'body null', body: () => 'null', field: 'input' },
]);

/** The request bodies the load generator cycles through (deterministic from the seed). */
export function requestBodies(seed = 7) {
  return {
    one: Array.from({ length: 64 }, (_, i) => JSON.stringify({ rows: requestRows(1, seed * 1000 + i) })),
    batch: Array.from({ length: 8 }, (_, i) => JSON.stringify({ rows: requestRows(32, seed * 1000 + 500 + i) })),
    malformed: MALFORMED.map((m) => m.body()),
  };
}

/** Request i: every 100th (offset 50) malformed, then one in four a 32-row batch, else one row. */
export function kindOf(i) {
  if (i % 100 === 50) return 'malformed';
  return i % 4 === 0 ? 'batch' : 'one';
}
export function bodyIndex(kind, i, bodies) {
  return kind === 'malformed'
    ? Math.floor(i / 100) % bodies.malformed.length
    : (i * 7 + (i >> 3)) % bodies[kind].length;
}
