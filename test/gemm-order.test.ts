// The order of additions of the Wasm products, bit for bit. Whatever tile, band, panel or block
// computes it, every element of X·W, D·Wᵀ and Xᵀ·D is one chain of multiply-adds in step order from
// its initial value (zero, the bias, or G when accumulating): by f32x4 madd for the columns in
// whole vectors (fused in the relaxed build where the CPU has FMA), by a separate multiply and add
// for the last n % 4 columns. So the blocking, the packing and the kernel shapes (the plain and
// relaxed builds tile differently) never change a bit, and threads can split the output anywhere
// the kernels' edges allow. Checked against that chain computed here in float64 arithmetic rounded
// as float32 does, on shapes around every blocking edge: row bands of 4 and 6, 8-column panels and
// the one-row kernel's 24/32 columns, 128-step k-blocks, 192-row blocks of A, the 16-row packing
// threshold, and W rows 4 KiB apart. The one exception: D·Wᵀ with fewer than 4 rows sums each
// element as 4 partial dot products (no transpose to pay for), which the last test pins down.
// The suite itself is in test/helpers/gemm-order.ts, shared with the Chromium run.
import { gemmOrderSuite } from './helpers/gemm-order.js';

gemmOrderSuite();
