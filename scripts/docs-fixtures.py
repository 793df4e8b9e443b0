# Writes test/fixtures/docs/: the ONNX files that docs/interop.md's JavaScript blocks read when
# test/docs-examples.test.ts runs them. classifier.onnx is made by the doc's own first Python block,
# read from docs/interop.md and run as written; classifier-logits.onnx by the model the doc's logits
# sketch describes (BatchNorm1d, no softmax), trained the same way with the cross-entropy on logits.
# Prints what the doc shows PyTorch printing. Run once, commit:
#   pip install torch onnx && python3 scripts/docs-fixtures.py
# The tests read the files only; they need no Python.
import os
import pathlib
import re
import shutil
import tempfile

import torch
from torch import nn

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / 'test' / 'fixtures' / 'docs'
OUT.mkdir(parents=True, exist_ok=True)
doc = (ROOT / 'docs' / 'interop.md').read_text()
first = re.search(r'```python\n(.*?)```', doc, re.S).group(1)

with tempfile.TemporaryDirectory() as folder:
    os.chdir(folder)
    exec(compile(first, 'docs/interop.md (first Python block)', 'exec'), {})
    shutil.copy('classifier.onnx', OUT / 'classifier.onnx')

torch.manual_seed(0)
x = torch.randn(600, 4)
y = (x[:, 0] + x[:, 1] > 0).long() + (x[:, 2] > 0.5).long()
model = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(300):
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
model.eval()
torch.onnx.export(model, (x[:1],), str(OUT / 'classifier-logits.onnx'), input_names=['input'],
                  output_names=['output'], dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}},
                  dynamo=False)
print('logits model, softmax:', torch.softmax(model(torch.tensor([[1.0, 0.5, 0.8, 0.0]])), dim=1).tolist())
