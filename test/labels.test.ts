// Labels in, labels out: class labels as targets (strings in order of first appearance, numbers in
// numeric order), net.classes and net.classify, a label the network does not know refused by
// name, brain.js's { input, output } samples, rows with named inputs (the keys become the feature
// names), and the clear error for any other object rows. Every figure is checked against a
// re-derivation from predict's probabilities.
import { describe, expect, it } from 'vitest';
import { NN, type Sample } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';
import { expectClearError, thrown } from './helpers/clear-errors.js';

/** `f` refuses with a clear error of `kind` whose message matches `message`. */
const refuses = (f: () => unknown, kind: typeof TypeError | typeof RangeError, message: RegExp): void =>
  expectClearError(thrown(f), message, String(message), kind);

// three clusters on a line: each class owns a third of it, so a small network separates them
const CLUSTER = ['low', 'mid', 'high'];
function clusters(n: number, seed: number): { x: number[][]; y: string[] } {
  let s = seed;
  const random = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const x: number[][] = [],
    y: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = (i * 7 + 1) % 3; // 'mid' comes first, then 'high', then 'low'
    x.push([c * 4 + random(), random() * 2 - 1]);
    y.push(CLUSTER[c]!);
  }
  return { x, y };
}

/** The argmax of each probability row: the class index predict implies. */
const argmax = (rows: Float32Array[]): number[] =>
  rows.map((r) => r.reduce((best, v, i) => (v > r[best]! ? i : best), 0));

describe.each(ENGINES)('class labels on %s', (engine) => {
  it('string labels: classes in order of first appearance; classify names the argmax of predict; evaluate and accuracy agree', async () => {
    const { x, y } = clusters(90, 3);
    const net = await NN.create({ layers: [2, 8, 3], engine, seed: 4 });
    const report = net.train(x, y, { epochs: 150 });
    expect(report.epochs).toBe(150);
    expect(net.classes).toEqual(['mid', 'high', 'low']);
    expect(net.toJSON().classes).toEqual(['mid', 'high', 'low']);
    const probabilities = net.predict(x);
    const named = argmax(probabilities).map((i) => net.classes![i]);
    expect(net.classify(x)).toEqual(named);
    expect(net.classify(x[5]!)).toBe(named[5]);
    expect(net.classify(Float32Array.from(x[5]!))).toBe(named[5]);
    const hits = named.filter((label, i) => label === y[i]).length;
    expect(hits / x.length).toBeGreaterThan(0.85);
    const { loss, accuracy } = net.evaluate(x, y);
    expect(accuracy).toBe(hits / x.length);
    expect(net.accuracy(x, y)).toBe(hits / x.length);
    // the loss as trained: mean cross-entropy of the true class's probability, in float64 here
    const expected =
      -y.reduce((s, label, i) => s + Math.log(probabilities[i]![net.classes!.indexOf(label)]!), 0) / y.length;
    expect(Math.abs(loss - expected)).toBeLessThan(1e-5 * Math.max(1, expected));
    // the confusion matrix in the classes' order
    const counts = net.confusionMatrix(x, y);
    expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(90);
    expect(counts.reduce((s, row, i) => s + row[i]!, 0)).toBe(hits);
    net.dispose();
  });

  it('numeric labels: integers from 0 name the outputs; others in numeric order; one output takes two string classes', async () => {
    const { x, y } = clusters(60, 5);
    const index = y.map((label) => CLUSTER.indexOf(label));
    const ints = await NN.create({ layers: [2, 6, 3], engine, seed: 1 });
    ints.train(x, index, { epochs: 2 });
    expect(ints.classes).toEqual([0, 1, 2]);
    const odd = await NN.create({ layers: [2, 6, 3], engine, seed: 1 });
    odd.train(
      x,
      index.map((i) => [30, -5, 7.5][i]!),
      { epochs: 2 },
    );
    expect(odd.classes).toEqual([-5, 7.5, 30]);
    // the same network learns the same from 30/−5/7.5 as from their positions in numeric order
    const same = await NN.create({ layers: [2, 6, 3], engine, seed: 1 });
    same.train(
      x,
      index.map((i) => [2, 0, 1][i]!),
      { epochs: 2 },
    );
    expect(odd.getWeights()).toEqual(same.getWeights());
    const binary = await NN.create({ layers: [2, 4, 1], engine, seed: 2 });
    binary.train(
      x,
      y.map((label) => (label === 'low' ? 'no' : 'yes')),
      { epochs: 30 },
    );
    expect(binary.classes).toEqual(['yes', 'no']);
    expect(binary.toJSON().loss).toBe('binary-cross-entropy');
    const p = binary.predict(x);
    expect(binary.classify(x)).toEqual(p.map((r) => (r[0]! >= 0.5 ? 'no' : 'yes')));
    for (const n of [ints, odd, same, binary]) n.dispose();
  });

  it('a label the network does not know is refused by name at evaluation, and nothing changes', async () => {
    const { x, y } = clusters(30, 7);
    const net = await NN.create({ layers: [2, 4, 3], engine, seed: 3 });
    net.train(x, y, { epochs: 1 });
    const before = net.toJSON();
    const bad = y.slice();
    bad[4] = 'tulip';
    for (const call of [() => net.evaluate(x, bad), () => net.accuracy(x, bad), () => net.confusionMatrix(x, bad)])
      refuses(call, RangeError, /targets\[4\].*"tulip".*"mid", "high", "low"/);
    refuses(() => net.train(x, bad, { epochs: 1 }), RangeError, /"tulip"/);
    expect(net.toJSON()).toEqual(before);
    // too many classes for the outputs, at the first train
    const fresh = await NN.create({ layers: [2, 4, 2], engine, seed: 3 });
    refuses(() => fresh.train(x, y), RangeError, /targets.*2 classes.*3 distinct labels/);
    expect(fresh.classes).toBeNull();
    net.dispose();
    fresh.dispose();
  });
});

describe("brain.js's samples and named rows", () => {
  it('[{ input, output }] trains as inputs and targets do, bit for bit, with labels or rows as outputs', async () => {
    const { x, y } = clusters(45, 11);
    const samples: Sample[] = x.map((input, i) => ({ input, output: y[i]! }));
    const a = await NN.create({ layers: [2, 5, 3], seed: 9 });
    const b = await NN.create({ layers: [2, 5, 3], seed: 9 });
    const ra = a.train(samples, { epochs: 3 });
    const rb = b.train(x, y, { epochs: 3 });
    expect(ra.loss).toBe(rb.loss);
    expect(a.getWeights()).toEqual(b.getWeights());
    expect(a.evaluate(samples)).toEqual(b.evaluate(x, y));
    expect(a.accuracy(samples)).toBe(b.accuracy(x, y));
    const rows = x.map((input, i) => ({ input, output: CLUSTER.map((c) => (c === y[i] ? 1 : 0)) }));
    const c = await NN.create({ layers: [2, 5, 3], seed: 9 });
    c.train(rows, { epochs: 3, validationData: rows.slice(0, 5) });
    expect(c.toJSON().loss).toBe('cross-entropy');
    // the options come second with samples; options third (as with inputs and targets) would be
    // ignored silently, so they are refused before anything changes
    const before = c.getWeights();
    const untyped = c.train.bind(c) as (...args: unknown[]) => unknown;
    refuses(() => untyped(samples, undefined, { epochs: 50 }), TypeError, /options come second/);
    expect(c.getWeights()).toEqual(before);
    for (const n of [a, b, c]) n.dispose();
  });

  it('named rows: the first training rows name the features, later rows are read by name in any key order', async () => {
    const { x, y } = clusters(45, 13);
    const named = x.map(([u, v]) => ({ width: u!, height: v! }));
    const a = await NN.create({ layers: [2, 5, 3], seed: 2 });
    const b = await NN.create({ layers: [2, 5, 3], seed: 2 });
    a.train(named, y, { epochs: 2 });
    b.train(x, y, { epochs: 2 });
    expect(a.getWeights()).toEqual(b.getWeights());
    expect(a.toJSON().features).toEqual(['width', 'height']);
    const swapped = x.map(([u, v]) => ({ height: v!, width: u! }));
    expect(a.predict(swapped)).toEqual(b.predict(x));
    expect(a.predict({ height: x[0]![1]!, width: x[0]![0]! })).toEqual(b.predict(Float32Array.from(x[0]!)));
    expect(a.classify(swapped[3]!)).toBe(b.classify(x[3]!));
    refuses(() => a.predict([{ width: 1, depth: 2 }]), RangeError, /input\[0\] has an unknown input "depth"/);
    refuses(() => a.predict([{ width: 1 }]), RangeError, /input\[0\] has no input "height"/);
    refuses(() => a.predict([{ width: 1, height: '2' }] as never), TypeError, /input\[0\]\.height/);
    refuses(() => b.predict([{ width: 1, height: 2 }]), TypeError, /no feature names|feature names/);
    a.dispose();
    b.dispose();
  });

  it('other object rows get an error that shows the accepted shapes', async () => {
    const net = await NN.create({ layers: [2, 3, 1], seed: 1 });
    const shapes = /rows of numbers.*flat.*named numeric inputs.*\{ input, output \}/;
    refuses(() => net.train([{ x: [1, 2], y: [1] }] as never, [1]), TypeError, shapes);
    refuses(() => net.train([{ input: [1, 2], target: [1] }] as never), TypeError, shapes);
    refuses(
      () =>
        net.train([
          { input: [1, 2], output: [1] },
          { input: [1, 2], output: 1 },
        ]),
      TypeError,
      /samples\[1\]\.output/,
    );
    expect(net.epochs).toBe(0);
    net.dispose();
  });
});
