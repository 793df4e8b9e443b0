# Checks simdnet's ONNX exports with the ONNX project's own tools: onnx.checker (full_check, with
# shape inference) and onnxruntime's CPU provider, against simdnet's predictions, and that
# onnxruntime hands the model's names (features, classes, schema) to Python through its custom
# metadata. Each network is exported quantized too (net.quantize(), MatMulInteger): the same bits
# where every layer is ReLU, leaky ReLU or linear and no target standardizer follows, else within
# the exponentials' error (a hidden value on a rounding boundary may quantize one step apart). Needs `npm run build` and `pip install onnx onnxruntime`; the tests do not need it (they
# use onnxruntime-web).
#   python3 scripts/onnx-verify.py
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime

ROOT = pathlib.Path(__file__).resolve().parent.parent

# one model per case: exported with toONNX, with simdnet's predictions for seeded rows
EXPORT = r"""
import { NN } from './dist/index.js';
import { toONNX } from './dist/interop.js';
import { writeFileSync } from 'node:fs';
const dir = process.argv[1];
const cases = {
  article: { layers: [3, 4, 3], activation: { name: 'sigmoid', gain: 0.04, threshold: 0.1 }, bias: false, loss: 'sse', init: 'normal' },
  'article-zscore': { layers: [3, 4, 3], activation: { name: 'sigmoid', gain: 0.04, threshold: 0.1 }, bias: false, loss: 'sse', normalize: 'zscore' },
  'relu-softmax': { layers: [4, 8, 3], activation: 'relu', output: 'softmax' },
  'relu-softmax-nobias-minmax': { layers: [4, 8, 3], activation: 'relu', output: 'softmax', bias: false, normalize: 'minmax' },
  'tanh-sigmoid': { layers: [3, 5, 2], activation: 'tanh', output: 'sigmoid' },
  'leaky-linear': { layers: [5, 6, 4, 2], activation: { name: 'leaky-relu', slope: 0.2 }, output: 'linear', loss: 'mse' },
  'sigmoid-gain-bias-zscore': { layers: [4, 6, 3], activation: { name: 'sigmoid', gain: 2.5, threshold: -0.3 }, output: 'softmax', normalize: 'zscore' },
  'regression-standardized-named': { layers: [3, 6, 2], activation: 'tanh', output: 'linear', loss: 'mse', normalize: 'zscore' },
  'classifier-named': { layers: [4, 8, 3], activation: 'relu', output: 'softmax', normalize: 'zscore' },
  'relu-linear-zscore': { layers: [4, 8, 2], activation: 'relu', output: 'linear', loss: 'mse', normalize: 'zscore' },
};
// names and a target standardizer, as a model file gives them
const extras = {
  'regression-standardized-named': { features: ['age', 'bmi', 'bp'], targetStandardizer: { mean: [152.1, -3], scale: [77.1, 0.5] } },
  'classifier-named': { features: ['a', 'b', 'c', 'd'], classes: ['setosa', 'versicolor', 'virginica'], schema: { target: 'species' } },
};
let seed = 1;
const rows = (n, k, lo, hi) => Float32Array.from({ length: n * k }, () => { seed = (seed * 1103515245 + 12345) % 2147483648; return lo + (hi - lo) * seed / 2147483648; });
const summary = {};
for (const [name, options] of Object.entries(cases)) {
  const trained = NN.createSync({ ...options, engine: 'wasm', seed: 5 });
  const n = trained.layers[0], m = trained.layers.at(-1);
  trained.train(rows(40, n, -3, 6), rows(40, m, 0, 1), { epochs: 5, batchSize: 8, learningRate: 0.05 });
  const net = extras[name] ? await NN.fromJSON({ ...trained.toJSON(), ...extras[name] }, { engine: 'wasm' }) : trained;
  const x = rows(16, n, -4, 8);
  writeFileSync(`${dir}/${name}.onnx`, toONNX(net));
  const { features, classes, schema } = net.toJSON();
  summary[name] = { inputs: n, x: Array.from(x), y: Array.from(net.predict(x)), names: { features, classes, schema } };
  const q = net.quantize();
  writeFileSync(`${dir}/${name}.int8.onnx`, toONNX(q));
  const exact = !q.toJSON().targetStandardizer && q.toJSON().activations.every((a) => ['relu', 'leaky-relu', 'linear'].includes(a.name));
  summary[`${name}.int8`] = { inputs: n, x: Array.from(x), y: Array.from(q.predict(x)), names: { features, classes, schema }, exact };
  q.dispose();
  net.dispose();
}
writeFileSync(`${dir}/cases.json`, JSON.stringify(summary));
"""


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(['node', '--input-type=module', '-e', EXPORT, tmp], cwd=ROOT, check=True)
        cases = json.loads((pathlib.Path(tmp) / 'cases.json').read_text())
        worst_all = worst_int8 = 0.0
        for name, case in cases.items():
            path = str(pathlib.Path(tmp) / f'{name}.onnx')
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
            x = np.array(case['x'], dtype=np.float32).reshape(-1, case['inputs'])
            expected = np.array(case['y'], dtype=np.float32).reshape(x.shape[0], -1)
            session = onnxruntime.InferenceSession(path, providers=['CPUExecutionProvider'])
            got = session.run(None, {'input': x})[0]
            custom = session.get_modelmeta().custom_metadata_map
            for key, value in case['names'].items():
                assert (json.loads(custom[key]) if key in custom else None) == value, (name, key, custom.get(key))
            # relative to each value and to the largest |value| of its row (as the tests state it)
            scale = np.maximum(np.maximum(np.abs(got), np.abs(expected)), np.abs(expected).max(axis=1, keepdims=True))
            worst = float((np.abs(got - expected) / scale).max())
            ops = ' '.join(n.op_type for n in model.graph.node)
            if 'exact' in case:
                if case['exact']:
                    assert np.array_equal(got.view(np.uint32), expected.view(np.uint32)), (name, worst)
                worst_int8 = max(worst_int8, worst)
                ops = f"{ops.count('MatMulInteger')} MatMulInteger, {'the same bits' if case['exact'] else 'tolerance'}"
            else:
                worst_all = max(worst_all, worst)
            print(f'{name:35} checker ok, IR {model.ir_version}, opset {model.opset_import[0].version}; onnxruntime vs simdnet: {worst:.2e} relative; {ops}')
        print(f'onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}: all {len(cases)} models pass the full checker; worst difference {worst_all:.2e} (float), {worst_int8:.2e} (int8)')
        sys.exit(0 if worst_all < 1e-5 and worst_int8 < 2e-2 else 1)


main()
