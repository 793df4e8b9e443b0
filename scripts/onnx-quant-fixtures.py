# Writes the quantized ONNX fixtures into test/fixtures/quant/. Run once, commit:
#   pip install torch onnx onnxruntime && python3 scripts/onnx-quant-fixtures.py
# The tests read the files only; they need no Python.
#
# - Two small PyTorch MLPs trained here (64-32-16-10 on the digits of test/data, ReLU and softmax;
#   4-8-3 on iris, tanh, no output activation), exported to ONNX, then quantized by ONNX Runtime's
#   own tools: quantize_dynamic (DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul, with
#   per-tensor and with per-channel weights) and quantize_static (QDQ: QuantizeLinear /
#   DequantizeLinear around MatMul, calibrated on training rows). ONNX Runtime's outputs on a few
#   test rows go beside each file, for the import to match within a tolerance.
# - mlp-784-128-10.dynamic.onnx: quantize_dynamic's form of test/fixtures/onnx/mlp-784-128-10.dynamo.onnx,
#   the network `npm run bench` runs, so that onnxruntime-web's int8 runs beside simdnet's.
# - arithmetic.onnx: simdnet's quantized arithmetic (docs/quantization.md) written with standard
#   operators for one layer, the float weights it quantizes, input rows and ONNX Runtime's outputs;
#   the script first checks that they equal a float32 NumPy re-derivation bit for bit, with ONNX
#   Runtime's graph optimizations on and off.
import json
import pathlib

import numpy as np
import onnx
import onnxruntime
import torch
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic, quantize_static
from torch import nn

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / 'test' / 'fixtures' / 'quant'
ROWS = 8  # rows of each fixture's committed inputs


def table(name):
    """A test/data CSV as (features, labels): the last column is the label."""
    lines = (ROOT / 'test' / 'data' / name).read_text().strip().splitlines()[1:]
    cells = [line.split(',') for line in lines]
    x = np.array([[float(v) for v in row[:-1]] for row in cells], dtype=np.float32)
    labels = [row[-1] for row in cells]
    classes = sorted(set(labels))
    return x, np.array([classes.index(v) for v in labels])


def train(model, x, y, epochs):
    torch.manual_seed(7)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for _ in range(epochs):
        opt.zero_grad()
        logits = model[:-1](xt) if isinstance(model[-1], nn.Softmax) else model(xt)
        nn.functional.cross_entropy(logits, yt).backward()
        opt.step()
    model.eval()
    return model


def models():
    """name -> (model, training inputs, test inputs): inputs as the network sees them."""
    torch.manual_seed(3)
    x, y = table('digits-train.csv')
    xt, _ = table('digits-test.csv')
    digits = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 10),
                           nn.Softmax(dim=1))
    yield 'digits', train(digits, x / 16, y, 300), x / 16, xt[:ROWS] / 16
    x, y = table('iris-train.csv')
    xt, _ = table('iris-test.csv')
    mean, std = x.mean(axis=0), x.std(axis=0)
    iris = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    yield 'iris', train(iris, (x - mean) / std, y, 300), (x - mean) / std, ((xt[:ROWS] - mean) / std).astype(np.float32)


class Rows(CalibrationDataReader):
    def __init__(self, x):
        self.rows = iter([{'input': x[i:i + 1].astype(np.float32)} for i in range(len(x))])

    def get_next(self):
        return next(self.rows, None)


def run(path, x):
    return onnxruntime.InferenceSession(str(path), providers=['CPUExecutionProvider']).run(None, {'input': x})[0]


def ops(path):
    return [n.op_type for n in onnx.load(str(path)).graph.node]


def quantized(name, model, train_x, test_x):
    """The float export and ONNX Runtime's quantizations of it, each with its outputs on test_x."""
    float_file = OUT / f'{name}.float.onnx'
    torch.onnx.export(model, (torch.from_numpy(train_x[:1]),), str(float_file), dynamo=False, input_names=['input'],
                      output_names=['output'], dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}},
                      opset_version=13)
    with torch.no_grad():
        torch_out = model(torch.from_numpy(test_x)).numpy()
    cases = [{'file': float_file.name, 'form': 'float', 'ops': ops(float_file), 'output': run(float_file, test_x).tolist()}]
    assert abs(np.array(cases[0]['output']) - torch_out).max() < 1e-5
    variants = [
        ('dynamic', lambda out: quantize_dynamic(str(float_file), str(out), weight_type=QuantType.QInt8)),
        ('dynamic-per-channel',
         lambda out: quantize_dynamic(str(float_file), str(out), weight_type=QuantType.QInt8, per_channel=True)),
        ('static-qdq', lambda out: quantize_static(str(float_file), str(out), Rows(train_x[:200]),
                                                   quant_format=QuantFormat.QDQ, activation_type=QuantType.QInt8,
                                                   weight_type=QuantType.QInt8)),
        ('static-qdq-per-channel',
         lambda out: quantize_static(str(float_file), str(out), Rows(train_x[:200]), quant_format=QuantFormat.QDQ,
                                     activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, per_channel=True)),
    ]
    for form, make in variants:
        out = OUT / f'{name}.{form}.onnx'
        make(out)
        onnx.checker.check_model(onnx.load(str(out)))
        y = run(out, test_x)
        cases.append({'file': out.name, 'form': form, 'ops': ops(out), 'output': y.tolist(),
                      'maxDifferenceFromFloat': float(abs(y - torch_out).max())})
    return {'model': name, 'input': test_x.tolist(), 'cases': cases}


def arithmetic():
    """simdnet's arithmetic for one 37 -> 13 layer with standard operators, checked bit for bit."""
    rng = np.random.default_rng(24)
    k, n = 37, 13
    w = rng.standard_normal((k, n)).astype(np.float32)
    w[:, 4] = 0  # a zero column: scale 1
    b = (rng.standard_normal(n) * 0.1).astype(np.float32)
    x = (rng.standard_normal((ROWS, k)) * 3).astype(np.float32)
    x[2] = 0  # a zero row
    m = np.abs(w).max(axis=0).astype(np.float64)
    sw = np.where(m > 0, m / 127, 1).astype(np.float32)  # m / 127 in float64, rounded once: float32 division
    factor = np.where(m > 0, 127 / np.where(m > 0, m, 1), 0)
    qw = np.clip(np.rint(w.astype(np.float64) * factor), -127, 127).astype(np.int8)
    floor = np.float32(2.0 ** -100)
    mx = np.maximum(np.abs(x).max(axis=1, keepdims=True), floor)
    inv, sx = np.float32(127) / mx, mx / np.float32(127)
    q = np.clip(np.rint(x * inv), -127, 127).astype(np.int8)
    acc = q.astype(np.int32) @ qw.astype(np.int32)
    expected = (acc.astype(np.float32) * sx) * sw + b
    expected_relu = np.where(expected > 0, expected, np.float32(0))
    nodes = [
        helper.make_node('Abs', ['input'], ['abs']),
        helper.make_node('ReduceMax', ['abs'], ['rowMax'], axes=[1], keepdims=1),
        helper.make_node('Max', ['rowMax', 'floor'], ['range']),
        helper.make_node('Div', ['c127', 'range'], ['inv']),
        helper.make_node('Div', ['range', 'c127'], ['sx']),
        helper.make_node('Mul', ['input', 'inv'], ['scaled']),
        helper.make_node('Round', ['scaled'], ['rounded']),
        helper.make_node('Clip', ['rounded', 'lo', 'hi'], ['clipped']),
        helper.make_node('Cast', ['clipped'], ['q'], to=TensorProto.INT8),
        helper.make_node('MatMulInteger', ['q', 'qW'], ['acc']),
        helper.make_node('Cast', ['acc'], ['accF'], to=TensorProto.FLOAT),
        helper.make_node('Mul', ['accF', 'sx'], ['s1']),
        helper.make_node('Mul', ['s1', 'sw'], ['s2']),
        helper.make_node('Add', ['s2', 'b'], ['output']),
        helper.make_node('Relu', ['output'], ['relu']),
    ]
    consts = {'floor': floor, 'c127': np.float32(127), 'lo': np.float32(-127), 'hi': np.float32(127)}
    inits = [numpy_helper.from_array(np.array(v, np.float32), k2) for k2, v in consts.items()]
    inits += [numpy_helper.from_array(qw, 'qW'), numpy_helper.from_array(sw, 'sw'), numpy_helper.from_array(b, 'b')]
    graph = helper.make_graph(nodes, 'simdnet-int8-layer', [helper.make_tensor_value_info('input', TensorProto.FLOAT,
                                                                                          ['batch', k])],
                              [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['batch', n]),
                               helper.make_tensor_value_info('relu', TensorProto.FLOAT, ['batch', n])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(OUT / 'arithmetic.onnx'))
    for level in (onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL, onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL):
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = level
        session = onnxruntime.InferenceSession(str(OUT / 'arithmetic.onnx'), options, providers=['CPUExecutionProvider'])
        y, relu = session.run(None, {'input': x})
        assert np.array_equal(y.view(np.uint32), expected.view(np.uint32)), level
        assert np.array_equal(relu.view(np.uint32), expected_relu.view(np.uint32)), level
    return {'file': 'arithmetic.onnx', 'k': k, 'n': n, 'weights': w.flatten().tolist(), 'biases': b.tolist(),
            'qW': qw.flatten().tolist(), 'scales': sw.tolist(), 'input': x.tolist(), 'output': y.tolist(),
            'relu': relu.tolist()}


def bench_model():
    """quantize_dynamic of the benchmark's 784-128-10 (its value_info, which describes the weights with
    PyTorch's shapes where shape inference wants the transposed ones, is dropped first)."""
    model = onnx.load(str(ROOT / 'test' / 'fixtures' / 'onnx' / 'mlp-784-128-10.dynamo.onnx'))
    del model.graph.value_info[:]
    plain = OUT / 'mlp-784-128-10.float.tmp.onnx'
    onnx.save(model, str(plain))
    quantize_dynamic(str(plain), str(OUT / 'mlp-784-128-10.dynamic.onnx'), weight_type=QuantType.QInt8)
    plain.unlink()
    print(f"mlp-784-128-10.dynamic.onnx: {' '.join(ops(OUT / 'mlp-784-128-10.dynamic.onnx'))}")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    bench_model()
    fixtures = [quantized(name, model, train_x, test_x) for name, model, train_x, test_x in models()]
    meta = {'torch': torch.__version__, 'onnx': onnx.__version__, 'onnxruntime': onnxruntime.__version__}
    (OUT / 'fixtures.json').write_text(json.dumps({'versions': meta, 'models': fixtures}, indent=1) + '\n')
    (OUT / 'arithmetic.json').write_text(json.dumps({'versions': meta, **arithmetic()}) + '\n')
    for f in fixtures:
        for c in f['cases']:
            print(f"{c['file']}: {' '.join(c['ops'])}")


if __name__ == '__main__':
    main()
