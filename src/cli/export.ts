// simdnet export <model> --to onnx|tfjs --out <file|dir>: the model (simdnet's, or an ONNX or TF.js
// one) as an ONNX file, or as a TensorFlow.js layers model (model.json and weights.bin in a folder).
// The model's names (column schema, inputs' names, class labels) go with it in the file's metadata,
// so that evaluate and predict on the export speak the original names.
import { join } from 'node:path';
import { InputError, UsageError } from './errors.js';
import { checkFolder, checkOutput, shownName, STDIO, writeAtomic } from './files.js';
import { ENGINES, choiceFlag } from './flags.js';
import { loadModel } from './model-file.js';
import { toONNX, toTFJS } from '../interop/index.js';

export interface ExportFlags {
  to: string;
  out?: string;
  engine: string;
  mkdir?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export async function exportModel(modelFile: string, f: ExportFlags): Promise<void> {
  const to = choiceFlag('--to', f.to, ['onnx', 'tfjs'] as const);
  if (!f.out)
    throw new UsageError('--out is required: a file for --to onnx (- for standard output), a folder for --to tfjs');
  const mkdir = Boolean(f.mkdir);
  if (to === 'onnx') checkOutput('--out', f.out, mkdir);
  else if (f.out === STDIO)
    throw new UsageError('--to tfjs writes two files into a folder; --out - works with --to onnx');
  else checkFolder('--out', join(f.out, '..'), mkdir);
  const { net, kind } = await loadModel(modelFile, choiceFlag('--engine', f.engine, ENGINES));
  try {
    const files: string[] = [];
    if (to === 'onnx') {
      writeAtomic(
        f.out,
        of(modelFile, () => toONNX(net)),
      );
      files.push(f.out);
    } else {
      const { modelJSON, weightData } = of(modelFile, () => toTFJS(net));
      checkFolder('--out', f.out, true);
      writeAtomic(join(f.out, 'weights.bin'), weightData);
      writeAtomic(join(f.out, 'model.json'), `${JSON.stringify(modelJSON)}\n`);
      files.push(join(f.out, 'model.json'), join(f.out, 'weights.bin'));
    }
    const what = to === 'onnx' ? 'ONNX, opset 13' : 'TensorFlow.js layers model';
    if (f.json)
      (f.out === STDIO ? process.stderr : process.stdout).write(
        `${JSON.stringify({ model: shownName(modelFile), kind, to, layers: net.layers, files })}\n`,
      );
    else if (!f.quiet)
      (f.out === STDIO ? process.stderr : process.stdout).write(
        `${net.layers.join('-')} network written to ${files.map(shownName).join(' and ')} (${what})\n`,
      );
  } finally {
    net.dispose();
  }
}

/**
 * The export, or one line naming the model file (a model saved before its normaliser was fitted, an
 * int8 model for TF.js).
 */
function of<T>(modelFile: string, convert: () => T): T {
  try {
    return convert();
  } catch (err) {
    if (err instanceof TypeError || (err instanceof Error && err.message.startsWith('simdnet:')))
      throw new InputError(shownName(modelFile), 1, 1, err.message.replace(/^simdnet: /, ''));
    throw err;
  }
}
