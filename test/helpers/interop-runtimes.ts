// The two other runtimes the exporters are held to: ONNX Runtime (onnxruntime-web's Wasm build, one
// thread, in Node) and TensorFlow.js (its cpu backend), each answering predictions for rows.
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs';
import type { TFJSModel } from '../../src/interop/index.js';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';
tf.env().set('IS_TEST', true); // no "install tfjs-node" banner

/** ONNX Runtime's outputs for rows of inputs. */
export async function onnxRuntime(bytes: Uint8Array, x: Float32Array, inputs: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const result = await session.run({ input: new ort.Tensor('float32', x, [x.length / inputs, inputs]) });
    return result.output!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** TensorFlow.js's outputs for a layers model loaded with tf.loadLayersModel from memory. */
export async function tensorflow(files: TFJSModel, x: Float32Array, inputs: number): Promise<Float32Array> {
  const model = await loadTFJS(files);
  try {
    return tf.tidy(
      () => (model.predict(tf.tensor2d(x, [x.length / inputs, inputs])) as tf.Tensor).dataSync() as Float32Array,
    );
  } finally {
    model.dispose();
  }
}

function loadTFJS({ modelJSON, weightData }: TFJSModel): Promise<tf.LayersModel> {
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJSON.modelTopology,
      weightSpecs: modelJSON.weightsManifest.flatMap((g) => g.weights),
      weightData: weightData.buffer.slice(
        weightData.byteOffset,
        weightData.byteOffset + weightData.byteLength,
      ) as ArrayBuffer,
    }),
  );
}

export { tf };
