# Writes the PyTorch fixtures of the ONNX import tests: small nn.Sequential models exported by both
# of PyTorch's ONNX exporters (TorchScript: dynamo=False; torch.export: dynamo=True), the inputs
# they were run on and the outputs PyTorch computed, into test/fixtures/onnx/. Run once, commit:
#   pip install torch onnx onnxscript onnxruntime && python3 scripts/onnx-fixtures.py
# The tests read the files only; they need no Python.
import json
import pathlib

import onnx
import onnxruntime
import torch
from torch import nn

OUT = pathlib.Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'onnx'


def models():
    """name -> (model, inputs): every activation simdnet maps, with and without bias, plus a refusal."""
    torch.manual_seed(12)
    yield 'relu-softmax', nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1)), 4
    yield 'tanh-sigmoid', nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2), nn.Sigmoid()), 3
    yield 'leaky-linear', nn.Sequential(nn.Linear(5, 6), nn.LeakyReLU(0.2), nn.Linear(6, 6), nn.ReLU(), nn.Linear(6, 2)), 5
    yield 'no-bias-sigmoid', nn.Sequential(nn.Linear(3, 4, bias=False), nn.Sigmoid(), nn.Linear(4, 1, bias=False)), 3
    yield 'flatten-dropout', nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.Dropout(0.5), nn.ReLU(), nn.Linear(3, 2)), 4
    yield 'conv1d', nn.Sequential(nn.Unflatten(1, (1, 6)), nn.Conv1d(1, 2, 3), nn.Flatten(), nn.Linear(8, 2)), 6
    # MNIST-sized, for bench/interop.ts (and one more check of the outputs)
    yield 'mlp-784-128-10', nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10), nn.Softmax(dim=1)), 784


def export(model, x, path, dynamo):
    batch = {'input': {0: 'batch'}, 'output': {0: 'batch'}}
    if dynamo:
        torch.onnx.export(model, (x,), str(path), dynamo=True, input_names=['input'], output_names=['output'],
                          dynamic_shapes=({0: torch.export.Dim('batch', min=1)},), external_data=False)
    else:
        torch.onnx.export(model, (x,), str(path), dynamo=False, input_names=['input'], output_names=['output'],
                          dynamic_axes=batch, opset_version=13)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, model, inputs in models():
        model.eval()
        x = torch.randn(5, inputs) * 2
        with torch.no_grad():
            y = model(x)
        for exporter, dynamo in (('torchscript', False), ('dynamo', True)):
            if name.startswith('mlp') and not dynamo:
                continue  # one exporter is enough for the benchmark's model
            file = f'{name}.{exporter}.onnx'
            export(model, x, OUT / file, dynamo)
            # onnxruntime agrees with PyTorch on the file (a check of the fixture, not of simdnet)
            ort = onnxruntime.InferenceSession(str(OUT / file)).run(None, {'input': x.numpy()})[0]
            assert abs(ort - y.numpy()).max() < 1e-5, (file, abs(ort - y.numpy()).max())
            graph = onnx.load(str(OUT / file)).graph
            cases.append({'file': file, 'model': name, 'exporter': exporter, 'ops': [n.op_type for n in graph.node],
                          'supported': name != 'conv1d', 'input': x.tolist(), 'output': y.tolist()})
    meta = {'torch': torch.__version__, 'onnx': onnx.__version__, 'onnxruntime': onnxruntime.__version__}
    (OUT / 'expected.json').write_text(json.dumps({'versions': meta, 'cases': cases}, indent=1) + '\n')
    for c in cases:
        print(f"{c['file']:40} {' '.join(c['ops'])}")


main()
