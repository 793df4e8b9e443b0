// simdnet import <model.onnx | dir/model.json> --out <model.json|.bin>: an ONNX file or a
// TensorFlow.js layers model as a simdnet model file, ready for predict and evaluate, or for further
// training from code.
import { LOSSES } from '../vocabulary.js';
import { UsageError } from './errors.js';
import { checkOutput, shownName, STDIO } from './files.js';
import { ENGINES, choiceFlag } from './flags.js';
import { loadModel, modelFormat, saveModel } from './model-file.js';

export interface ImportFlags {
  out?: string;
  loss?: string;
  engine: string;
  format?: string;
  mkdir?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export async function importModel(modelFile: string, f: ImportFlags): Promise<void> {
  if (!f.out) throw new UsageError('--out is required: the simdnet model file to write (- for standard output)');
  const loss = f.loss === undefined ? undefined : choiceFlag('--loss', f.loss, LOSSES);
  const format = modelFormat(f.out, f.format);
  checkOutput('--out', f.out, Boolean(f.mkdir));
  const { net, kind, config } = await loadModel(modelFile, choiceFlag('--engine', f.engine, ENGINES), loss);
  try {
    // the network carries the file's names (its column schema, features and classes) in its metadata
    saveModel(f.out, net, null, { format, resumable: false, mkdir: Boolean(f.mkdir) });
    const act = config.activations.map((a) => a.name).join(', ');
    const info = { model: shownName(modelFile), kind, layers: net.layers, loss: config.loss, out: shownName(f.out) };
    if (f.json) (f.out === STDIO ? process.stderr : process.stdout).write(`${JSON.stringify(info)}\n`);
    else if (!f.quiet)
      (f.out === STDIO ? process.stderr : process.stdout).write(
        `${net.layers.join('-')} network (${act}; loss ${config.loss}${config.normalize !== 'none' ? '; input normaliser' : ''}) written to ${shownName(f.out)}\n`,
      );
  } finally {
    net.dispose();
  }
}
