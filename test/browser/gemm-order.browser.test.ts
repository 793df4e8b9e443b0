// test/gemm-order.test.ts in Chromium, where the relaxed-SIMD build validates (Node 20 rejects it):
// each product's order of additions, bit for bit, on both builds. `npm run test:browser`.
import { gemmOrderSuite } from '../helpers/gemm-order.js';

gemmOrderSuite();
