# Writes the PyTorch fixtures of the import tests: small nn.Sequential models exported by both of
# PyTorch's ONNX exporters (TorchScript: dynamo=False; torch.export: dynamo=True), the inputs they
# were run on and the outputs PyTorch computed, into test/fixtures/onnx/; and the models with
# BatchNorm1d or logits written by hand as TensorFlow.js layers models (model.json, weights.bin)
# into test/fixtures/tfjs/, checked here against a NumPy re-derivation. Run once, commit:
#   pip install torch onnx onnxscript onnxruntime && python3 scripts/onnx-fixtures.py [model ...]
# With model names, only those models' files and expected values are rewritten (every model is still
# built, so the random draws stay those of a full run; the others' files stay byte for byte).
# The tests read the files only; they need no Python.
import json
import pathlib
import sys

import numpy as np
import onnx
import onnxruntime
import torch
from torch import nn

ROOT = pathlib.Path(__file__).resolve().parent.parent / 'test' / 'fixtures'
OUT = ROOT / 'onnx'
TFJS = ROOT / 'tfjs'
# what simdnet refuses, and the op the refusal names
REFUSED = {'conv1d': 'Conv', 'bn-after-activation-last': 'BatchNormalization'}


def batch_norm(n, shift=True):
    """A BatchNorm1d in eval mode with running statistics and affine parameters away from their defaults.
    With shift=False its weight, bias and running variance stay 1, 0, 1: TorchScript then names one
    tensor twice (an Identity over an initializer), a form the importer must read too."""
    bn = nn.BatchNorm1d(n)
    with torch.no_grad():
        bn.running_mean.normal_(0, 1.5)
        if shift:
            bn.weight.uniform_(0.5, 2.0)
            bn.bias.normal_(0, 0.5)
            bn.running_var.uniform_(0.3, 3.0)
    return bn


class Standardized(nn.Module):
    """A regression network that answers in the targets' units, net(x)·std + mean, as a PyTorch user
    writes it after training on standardized targets."""

    def __init__(self, net, mean, std):
        super().__init__()
        self.net = net
        self.register_buffer('mean', torch.tensor(mean))
        self.register_buffer('std', torch.tensor(std))

    def forward(self, x):
        return self.net(x) * self.std + self.mean


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
    # a classifier that ends in logits, as PyTorch's usually do (CrossEntropyLoss applies the softmax)
    yield 'logits', nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)), 4
    # BatchNorm1d in each position PyTorch puts it: on the inputs, after a Linear (before its
    # activation), after an activation (before the next Linear), after a Linear without bias (MatMul)
    # and last; and after the last activation, which has no dense layer to be folded into
    yield 'bn-input', nn.Sequential(batch_norm(4), nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3), nn.Softmax(dim=1)), 4
    yield 'bn-after-linear', nn.Sequential(nn.Linear(4, 6), batch_norm(6), nn.ReLU(), nn.Linear(6, 3)), 4
    yield 'bn-after-activation', nn.Sequential(nn.Linear(4, 6), nn.Tanh(), batch_norm(6), nn.Linear(6, 2), nn.Sigmoid()), 4
    yield 'bn-no-bias', nn.Sequential(nn.Linear(4, 6, bias=False), batch_norm(6), nn.ReLU(), nn.Dropout(0.2),
                                      nn.Linear(6, 2, bias=False), batch_norm(2, shift=False)), 4
    yield 'bn-after-activation-last', nn.Sequential(nn.Linear(4, 6), nn.ReLU(), batch_norm(6)), 4
    # the outputs' standardizer after the last layer (Mul, Add)
    yield 'regression-standardized', Standardized(nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2)),
                                                  [150.0, -3.0], [75.0, 0.5]), 3


def export(model, x, path, dynamo):
    batch = {'input': {0: 'batch'}, 'output': {0: 'batch'}}
    if dynamo:
        torch.onnx.export(model, (x,), str(path), dynamo=True, input_names=['input'], output_names=['output'],
                          dynamic_shapes=({0: torch.export.Dim('batch', min=1)},), external_data=False)
    else:
        torch.onnx.export(model, (x,), str(path), dynamo=False, input_names=['input'], output_names=['output'],
                          dynamic_axes=batch, opset_version=13)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)


# ---- the same models as TensorFlow.js layers models ----------------------------------------------------

ACTIVATION = {nn.ReLU: 'relu', nn.Tanh: 'tanh', nn.Sigmoid: 'sigmoid', nn.Softmax: 'softmax'}


def keras_layers(model, inputs):
    """The Sequential's modules as Keras layers (config, [(weight name, array)]): a Linear is a Dense
    (kernel = weight transposed) that takes the activation right after it; any other activation is an
    Activation layer; a BatchNorm1d is a BatchNormalization with PyTorch's epsilon."""
    layers, modules = [], list(model)
    for k, m in enumerate(modules):
        name = f'{type(m).__name__.lower()}{k}'
        if isinstance(m, nn.Linear):
            follows = modules[k + 1] if k + 1 < len(modules) else None
            activation = ACTIVATION.get(type(follows), 'linear')
            config = {'units': m.out_features, 'activation': activation, 'use_bias': m.bias is not None}
            weights = [('kernel', m.weight.detach().numpy().T)]
            if m.bias is not None:
                weights.append(('bias', m.bias.detach().numpy()))
            layers.append(('Dense', name, config, weights))
        elif type(m) in ACTIVATION:
            if not (k > 0 and isinstance(modules[k - 1], nn.Linear)):
                layers.append(('Activation', name, {'activation': ACTIVATION[type(m)]}, []))
        elif isinstance(m, nn.BatchNorm1d):
            config = {'axis': -1, 'momentum': 0.9, 'epsilon': m.eps, 'center': True, 'scale': True}
            weights = [('gamma', m.weight), ('beta', m.bias), ('moving_mean', m.running_mean),
                       ('moving_variance', m.running_var)]
            layers.append(('BatchNormalization', name, config, [(w, t.detach().numpy()) for w, t in weights]))
        elif isinstance(m, nn.Dropout):
            layers.append(('Dropout', name, {'rate': m.p}, []))
        else:
            raise ValueError(type(m))
    layers[0][2]['batch_input_shape'] = [None, inputs]
    return layers


def keras_predict(layers, x):
    """The layers' inference in float64, as Keras defines them: a check of the files, not of simdnet."""
    act = {'linear': lambda v: v, 'relu': lambda v: np.maximum(v, 0), 'tanh': np.tanh,
           'sigmoid': lambda v: 1 / (1 + np.exp(-v)), 'softmax': lambda v: np.exp(v) / np.exp(v).sum(1, keepdims=True)}
    x = x.astype(np.float64)
    for kind, _, config, weights in layers:
        w = {n: a.astype(np.float64) for n, a in weights}
        if kind == 'Dense':
            x = act[config['activation']](x @ w['kernel'] + w.get('bias', 0))
        elif kind == 'Activation':
            x = act[config['activation']](x)
        elif kind == 'BatchNormalization':
            x = (x - w['moving_mean']) / np.sqrt(w['moving_variance'] + config['epsilon']) * w['gamma'] + w['beta']
    return x


def write_tfjs(model, inputs, folder, x, y):
    layers = keras_layers(model, inputs)
    assert abs(keras_predict(layers, x) - y).max() < 1e-5, (folder.name, abs(keras_predict(layers, x) - y).max())
    folder.mkdir(parents=True, exist_ok=True)
    topology, specs, data = [], [], []
    for kind, name, config, weights in layers:
        topology.append({'class_name': kind, 'config': {**config, 'name': name, 'trainable': True, 'dtype': 'float32'}})
        for w, a in weights:
            specs.append({'name': f'{name}/{w}', 'shape': list(a.shape), 'dtype': 'float32'})
            data.append(np.ascontiguousarray(a, dtype='<f4').tobytes())
    model_json = {'format': 'layers-model', 'generatedBy': 'scripts/onnx-fixtures.py', 'convertedBy': None,
                  'modelTopology': {'class_name': 'Sequential', 'config': {'name': folder.name, 'layers': topology},
                                    'keras_version': 'tfjs-layers 4.22.0', 'backend': 'tensor_flow.js'},
                  'weightsManifest': [{'paths': ['weights.bin'], 'weights': specs}]}
    (folder / 'model.json').write_text(json.dumps(model_json, indent=1) + '\n')
    (folder / 'weights.bin').write_bytes(b''.join(data))


def previous(path):
    """The cases of an expected.json already written, by model name."""
    by_model = {}
    if path.exists():
        for c in json.loads(path.read_text())['cases']:
            by_model.setdefault(c['model'], []).append(c)
    return by_model


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    only = set(sys.argv[1:])
    kept, kept_tfjs = previous(OUT / 'expected.json'), previous(TFJS / 'expected.json')
    cases, tfjs_cases = [], []
    for name, model, inputs in models():
        model.eval()
        x = torch.randn(5, inputs) * 2
        with torch.no_grad():
            y = model(x)
        if only and name not in only:
            cases += kept.get(name, [])
            tfjs_cases += kept_tfjs.get(name, [])
            continue
        extra = {'softmax': torch.softmax(y, dim=1).tolist()} if name == 'logits' else {}
        if name == 'logits' or name.startswith('bn-'):
            tfjs_cases.append({'dir': name, 'model': name, 'supported': name not in REFUSED, 'refusedOp': REFUSED.get(name),
                               'input': x.tolist(), 'output': y.tolist(), **extra})
            write_tfjs(model, inputs, TFJS / name, x.numpy(), y.numpy())
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
                          'supported': name not in REFUSED, 'refusedOp': REFUSED.get(name),
                          'input': x.tolist(), 'output': y.tolist(), **extra})
    meta = {'torch': torch.__version__, 'onnx': onnx.__version__, 'onnxruntime': onnxruntime.__version__}
    (OUT / 'expected.json').write_text(json.dumps({'versions': meta, 'cases': cases}, indent=1) + '\n')
    (TFJS / 'expected.json').write_text(json.dumps({'versions': {'torch': torch.__version__}, 'cases': tfjs_cases},
                                                   indent=1) + '\n')
    for c in cases:
        print(f"{c['file']:40} {' '.join(c['ops'])}")


main()
