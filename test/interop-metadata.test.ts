// The model's names through the exports: feature names, class labels and the CLI's column schema
// go to ONNX metadata_props (and the input's and output's doc strings) and to TF.js's
// userDefinedMetadata, where other runtimes read them, and come back on import; entries that do not
// fit the model (another producer's, or a wrong count) are left out, never refused.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromONNX, fromTFJS, toONNX, toTFJS } from '../src/interop/index.js';
import { NN, type ModelJSON } from '../src/index.js';
import { tf } from './helpers/interop-runtimes.js';
import { graphOf, metadataOf, withMetadata } from './helpers/onnx-graph.js';

const features = ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width, "cm"'];
const classes = ['setosa', 'versicolor', 'virginica'];
const schema = {
  features: ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width, "cm"'],
  categories: {},
  fill: { 'sepal width (cm)': 3.05 },
  target: 'species',
  task: 'classification',
};

/** A classifier with names, as a model file would give it back. */
async function named(extra: Partial<ModelJSON> = {}, layers = [4, 6, 3]): Promise<NN> {
  const net = await NN.create({
    layers,
    activation: 'relu',
    output: layers.at(-1)! > 1 ? 'softmax' : 'sigmoid',
    seed: 5,
  });
  const json = { ...net.toJSON(), features, classes, schema, ...extra };
  net.dispose();
  return NN.fromJSON(json);
}
const namesOf = (net: NN) => {
  const { features, classes, schema } = net.toJSON();
  return { features, classes, schema };
};

describe('names through ONNX', () => {
  it('metadata_props holds features, classes and schema as JSON; the input and output keep their names and list them', async () => {
    const net = await named();
    const bytes = toONNX(net);
    const meta = metadataOf(bytes);
    expect(JSON.parse(meta.get('features')!)).toEqual(features);
    expect(JSON.parse(meta.get('classes')!)).toEqual(classes);
    expect(JSON.parse(meta.get('schema')!)).toEqual(schema);
    const { input, output } = graphOf(bytes);
    expect(input).toEqual({ name: 'input', docString: `features: ${features.join(', ')}` });
    expect(output).toEqual({ name: 'output', docString: `classes: ${classes.join(', ')}` });
    net.dispose();
  });

  it('fromONNX gives them back; with numeric labels for one sigmoid output too', async () => {
    for (const net of [await named(), await named({ classes: [0, 1], schema: undefined }, [4, 3, 1])]) {
      const back = await fromONNX(toONNX(net));
      expect(namesOf(back)).toEqual(namesOf(net));
      net.dispose();
      back.dispose();
    }
  });

  it("entries that do not fit are left out: a wrong count, not JSON, another producer's form", async () => {
    const net = await named();
    const bytes = toONNX(net);
    net.dispose();
    const back = await fromONNX(
      withMetadata(bytes, { classes: JSON.stringify(['a', 'b']), features: 'sepal length,sepal width', schema: '[1]' }),
    );
    expect(namesOf(back)).toEqual({ features: undefined, classes: undefined, schema: undefined });
    back.dispose();
    // a PyTorch file has no names
    const pytorch = await fromONNX(readFileSync(new URL('./fixtures/onnx/relu-softmax.dynamo.onnx', import.meta.url)));
    expect(namesOf(pytorch)).toEqual({ features: undefined, classes: undefined, schema: undefined });
    pytorch.dispose();
  });
});

describe('labels learned by training', () => {
  it('a network trained on string labels exports them, and after ONNX and TF.js round trips classify answers with names', async () => {
    const net = await NN.create({ layers: [2, 6, 3], seed: 3 });
    const x = Array.from({ length: 60 }, (_, i) => [Math.sin(i) * 4, Math.cos(i * 1.3) * 4]);
    const labels = x.map(([a, b]) => (a! + b! > 1 ? 'high' : a! - b! > 0 ? 'left' : 'low'));
    net.train(x, labels, { epochs: 100 });
    expect(net.classes).toEqual([...new Set(labels)]); // strings: in order of first appearance
    const answers = net.classify(x);
    expect(answers.filter((label, i) => label === labels[i]).length).toBeGreaterThan(45);
    const { modelJSON, weightData } = toTFJS(net);
    for (const [format, back] of [
      ['ONNX', await fromONNX(toONNX(net))],
      ['TF.js', await fromTFJS(modelJSON, weightData)],
    ] as const) {
      expect(back.classes, format).toEqual(net.classes);
      expect(back.classify(x), format).toEqual(answers);
      back.dispose();
    }
    net.dispose();
  });
});

describe('names through TF.js', () => {
  it('userDefinedMetadata holds them; tf.loadLayersModel hands them to TF.js users', async () => {
    const net = await named();
    const { modelJSON, weightData } = toTFJS(net);
    net.dispose();
    expect(modelJSON.userDefinedMetadata).toMatchObject({ features, classes, schema });
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJSON.modelTopology,
        weightSpecs: modelJSON.weightsManifest[0]!.weights,
        weightData: weightData.slice().buffer,
        userDefinedMetadata: modelJSON.userDefinedMetadata,
      }),
    );
    expect(model.getUserDefinedMetadata()).toMatchObject({ features, classes, schema });
    model.dispose();
  });

  it('fromTFJS gives them back (model.json as text too), and leaves out what does not fit', async () => {
    const net = await named();
    const { modelJSON, weightData } = toTFJS(net);
    const back = await fromTFJS(JSON.stringify(modelJSON), weightData);
    expect(namesOf(back)).toEqual(namesOf(net));
    back.dispose();
    net.dispose();
    const odd = { ...modelJSON, userDefinedMetadata: { ...modelJSON.userDefinedMetadata, features: [1, 2, 3, 4] } };
    const partial = await fromTFJS(odd, weightData);
    expect(namesOf(partial)).toEqual({ features: undefined, classes, schema });
    partial.dispose();
  });
});
