// What a network says about itself: summary() (a Keras-like table whose parameter counts are
// recomputed here from the layer sizes), what console.log shows in Node (names, not internals),
// and `using`, which disposes a network when its block ends.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';

describe('summary()', () => {
  it('lists every layer with its size, activation and parameter count, the totals, loss, classes and placement', async () => {
    const net = await NN.create({ layers: [4, 16, 8, 3], engine: 'js', seed: 1 });
    const before = net.summary();
    expect(before).toMatch(/dense \(output\)\s+3\s+from the targets at the first train\s+27/);
    expect(before).toMatch(/input\s+4\s+z-score, fitted at the first train/);
    net.train(
      [
        [1, 2, 3, 4],
        [4, 3, 2, 1],
        [0, 1, 0, 1],
      ],
      ['a', 'b', 'c'],
      { epochs: 2 },
    );
    const text = net.summary();
    const lines = text.split('\n');
    const params = [4 * 16 + 16, 16 * 8 + 8, 8 * 3 + 3];
    expect(lines[0]).toMatch(/^layer\s+units\s+activation\s+parameters$/);
    expect(lines[2]).toMatch(/^input\s+4\s+z-score normalised$/);
    expect(lines[3]).toMatch(new RegExp(`^dense\\s+16\\s+relu\\s+${params[0]}$`));
    expect(lines[4]).toMatch(new RegExp(`^dense\\s+8\\s+relu\\s+${params[1]}$`));
    expect(lines[5]).toMatch(new RegExp(`^dense \\(output\\)\\s+3\\s+softmax\\s+${params[2]}$`));
    expect(text).toContain(`parameters: ${params.reduce((a, b) => a + b)}`);
    expect(text).toContain('loss: cross-entropy');
    expect(text).toContain('classes: a, b, c');
    expect(text).toContain('engine: js (js), threads: 1, precision: float32');
    net.dispose();
  });

  it("the article preset: the sigmoid's gain and threshold, no bias, 'sse'", async () => {
    const net = await NN.create({ layers: [3, 4, 3], preset: 'article', seed: 2 });
    const text = net.summary();
    expect(text).toMatch(/dense\s+4\s+sigmoid \(gain 0\.04, threshold 0\.1\)\s+12$/m);
    expect(text).toContain('parameters: 24 (no bias)');
    expect(text).toContain('loss: sse');
    net.dispose();
  });
});

describe('lifetime and inspection', () => {
  it('console.log shows the class name and the network, not its internals', async () => {
    const net = await NN.create({ layers: [2, 5, 3], output: 'softmax', engine: 'js', seed: 3 });
    const shown = inspect(net);
    expect(shown).toMatch(/^NN \{/);
    expect(shown).toContain('layers: [ 2, 5, 3 ]');
    expect(shown).toContain("activations: 'relu → softmax'");
    expect(shown).not.toMatch(/heap|descriptorPtr|resident/);
    net.dispose();
    expect(inspect(net)).toBe('NN { disposed }');
  });

  it('`using` disposes the network when its block ends', async () => {
    let kept: NN | undefined;
    {
      using net = await NN.create({ layers: [2, 3, 1], seed: 4 });
      kept = net;
      expect(net.isDisposed).toBe(false);
    }
    expect(kept.isDisposed).toBe(true);
    expect(() => kept.predict([0, 1])).toThrow(/disposed/);
  });
});
