// simdnet import <model.onnx | dir/model.json> --out <model.json>: an ONNX file or a TensorFlow.js
// layers model as a simdnet model file (the library's toJSON()), ready for train-free predict and
// evaluate, or for further training from code.
import { LOSSES } from '../vocabulary.js';
import { ENGINES, choiceFlag } from './flags.js';
import { UsageError } from './errors.js';
import { writeAtomic } from './files.js';
import { loadModel } from './model-file.js';

export interface ImportFlags {
  out?: string;
  loss?: string;
  engine: string;
}

export async function importModel(modelFile: string, f: ImportFlags): Promise<void> {
  if (!f.out) throw new UsageError('--out is required: the simdnet model file to write');
  const loss = f.loss === undefined ? undefined : choiceFlag('--loss', f.loss, LOSSES);
  const { net } = await loadModel(modelFile, choiceFlag('--engine', f.engine, ENGINES), loss);
  try {
    const json = net.toJSON({ training: false });
    writeAtomic(f.out, `${JSON.stringify(json)}\n`);
    const act = json.activations.map((a) => a.name).join(', ');
    process.stderr.write(
      `${json.layers.join('-')} network (${act}; loss ${json.loss}${json.normalizer ? '; input normaliser' : ''}) written to ${f.out}\n`,
    );
  } finally {
    net.dispose();
  }
}
