// simdnet export <model> --to onnx|tfjs --out <file|dir>: the model (simdnet's, or an ONNX or TF.js
// one) as an ONNX file, or as a TensorFlow.js layers model (model.json and weights.bin in a folder).
import { join } from 'node:path';
import { ENGINES, choiceFlag } from './flags.js';
import { InputError, UsageError } from './errors.js';
import { writeAtomic } from './files.js';
import { toONNX, toTFJS } from '../interop/index.js';
import { loadModel } from './model-file.js';

export interface ExportFlags {
  to: string;
  out?: string;
  engine: string;
}

export async function exportModel(modelFile: string, f: ExportFlags): Promise<void> {
  const to = choiceFlag('--to', f.to, ['onnx', 'tfjs'] as const);
  if (!f.out) throw new UsageError(`--out is required: a file for --to onnx, a folder for --to tfjs`);
  const { net } = await loadModel(modelFile, choiceFlag('--engine', f.engine, ENGINES));
  try {
    if (to === 'onnx') {
      writeAtomic(
        f.out,
        of(modelFile, () => toONNX(net)),
      );
      process.stderr.write(`${net.layers.join('-')} network written to ${f.out} (ONNX, opset 13)\n`);
    } else {
      const { modelJSON, weightData } = of(modelFile, () => toTFJS(net));
      writeAtomic(join(f.out, 'weights.bin'), weightData);
      writeAtomic(join(f.out, 'model.json'), `${JSON.stringify(modelJSON)}\n`);
      process.stderr.write(
        `${net.layers.join('-')} network written to ${join(f.out, 'model.json')} and weights.bin (TensorFlow.js layers model)\n`,
      );
    }
  } finally {
    net.dispose();
  }
}

/** The export, or one line naming the model file (a model saved before its normaliser was fitted). */
function of<T>(modelFile: string, convert: () => T): T {
  try {
    return convert();
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('simdnet:'))
      throw new InputError(modelFile, 1, 1, err.message.replace(/^simdnet: /, ''));
    throw err;
  }
}
