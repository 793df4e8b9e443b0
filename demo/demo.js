// The simdnet demo: loads 10,000 MNIST digits, trains 784-128-10 in a worker with trainInWorker,
// and uses the caller's copy of the network (its weights synced every epoch) to predict here.
import { NN, engines as runtimeEngines, trainInWorker } from '../dist/index.js';

const TRAIN = 8000; // the first 8,000 digits train, the other 2,000 test (scripts/demo-data.mjs)
const SAMPLES = 24;
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

// ---- data ----------------------------------------------------------------------------------
async function loadDigits() {
  const response = await fetch('data/mnist.bin.gz');
  if (!response.ok) throw new Error(`data/mnist.bin.gz: HTTP ${response.status} (run npm run demo to generate it)`);
  const bytes = new Uint8Array(
    await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer(),
  );
  const count = bytes.length / 785;
  const x = new Float32Array(count * 784),
    t = new Float32Array(count * 10),
    labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = bytes[i * 785];
    t[i * 10 + labels[i]] = 1;
    for (let p = 0; p < 784; p++) x[i * 784 + p] = bytes[i * 785 + 1 + p] / 255;
  }
  const split = (a, w, from, to) => a.subarray(from * w, to * w);
  return {
    train: { x: split(x, 784, 0, TRAIN), t: split(t, 10, 0, TRAIN) },
    test: { x: split(x, 784, TRAIN, count), labels: labels.subarray(TRAIN), rows: count - TRAIN },
  };
}

const argmax = (a, from = 0, n = a.length) => {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[from + i] > a[from + best]) best = i;
  return best;
};

function accuracy(net, test) {
  const y = net.predict(test.x);
  let right = 0;
  for (let i = 0; i < test.rows; i++) if (argmax(y, i * 10, 10) === test.labels[i]) right++;
  return right / test.rows;
}

// ---- chart ---------------------------------------------------------------------------------
function drawChart(history, epochs) {
  const c = $('chart'),
    g = c.getContext('2d'),
    w = c.width,
    h = c.height,
    pad = 30;
  g.clearRect(0, 0, w, h);
  g.strokeStyle = '#dde';
  g.fillStyle = '#5b6475';
  g.font = '11px system-ui';
  for (let k = 0; k <= 4; k++) {
    const y = pad / 2 + ((h - pad) * k) / 4;
    g.beginPath();
    g.moveTo(pad, y);
    g.lineTo(w - 8, y);
    g.stroke();
    g.fillText(`${100 - k * 25}%`, 0, y + 4);
  }
  g.fillText('epoch', w - 40, h - 2);
  if (!history.length) return;
  const maxLoss = Math.max(...history.map((p) => p.loss), 0.1);
  const xAt = (i) => pad + ((w - pad - 8) * (i + 1)) / Math.max(epochs, history.length);
  const line = (color, value) => {
    g.strokeStyle = color;
    g.fillStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    history.forEach((p, i) => {
      const y = pad / 2 + (h - pad) * (1 - value(p));
      if (i) g.lineTo(xAt(i), y);
      else g.moveTo(xAt(i), y);
    });
    g.stroke();
    history.forEach((p, i) => {
      g.beginPath();
      g.arc(xAt(i), pad / 2 + (h - pad) * (1 - value(p)), 3, 0, 7);
      g.fill();
    });
  };
  line('#d9480f', (p) => p.loss / maxLoss);
  line('#2f9e44', (p) => p.accuracy);
  g.lineWidth = 1;
}

// ---- sample digits -------------------------------------------------------------------------
function digitCanvas(pixels) {
  const c = document.createElement('canvas');
  c.width = c.height = 28;
  const g = c.getContext('2d'),
    img = g.createImageData(28, 28);
  for (let p = 0; p < 784; p++) {
    const v = pixels[p] * 255;
    img.data.set([v, v, v, 255], p * 4);
  }
  g.putImageData(img, 0, 0);
  return c;
}

function showSamples(net, test) {
  const box = $('samples');
  if (!box.children.length) {
    for (let i = 0; i < SAMPLES; i++) {
      const f = document.createElement('figure');
      f.append(digitCanvas(test.x.subarray(i * 784, (i + 1) * 784)), document.createElement('figcaption'));
      box.append(f);
    }
  }
  const y = net.predict(test.x.subarray(0, SAMPLES * 784));
  [...box.children].forEach((f, i) => {
    const guess = argmax(y, i * 10, 10),
      ok = guess === test.labels[i];
    f.className = ok ? 'right' : 'wrong';
    f.querySelector('figcaption').textContent = ok ? `${guess}` : `${guess} (is ${test.labels[i]})`;
  });
}

// ---- drawing pad ---------------------------------------------------------------------------
/** The pad's ink as an MNIST-style input: the bounding box scaled into 20×20, centred by mass in 28×28. */
function padInput() {
  const pad = $('pad'),
    src = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
  let x0 = pad.width,
    y0 = pad.height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < pad.height; y++)
    for (let x = 0; x < pad.width; x++) {
      if (src[(y * pad.width + x) * 4] > 20) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  if (x1 < 0) return null;
  const size = Math.max(x1 - x0, y1 - y0) + 1,
    scale = 20 / size;
  const small = document.createElement('canvas');
  small.width = small.height = 28;
  const g = small.getContext('2d');
  g.imageSmoothingQuality = 'high';
  const w = (x1 - x0 + 1) * scale,
    h = (y1 - y0 + 1) * scale;
  g.drawImage(pad, x0, y0, x1 - x0 + 1, y1 - y0 + 1, (28 - w) / 2, (28 - h) / 2, w, h);
  const data = g.getImageData(0, 0, 28, 28).data,
    input = new Float32Array(784);
  let mass = 0,
    mx = 0,
    my = 0;
  for (let p = 0; p < 784; p++) {
    const v = data[p * 4] / 255;
    input[p] = v;
    mass += v;
    mx += v * (p % 28);
    my += v * Math.floor(p / 28);
  }
  const dx = Math.round(13.5 - mx / mass),
    dy = Math.round(13.5 - my / mass),
    out = new Float32Array(784);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const sx = x - dx,
        sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = input[sy * 28 + sx];
    }
  return out;
}

function showGuess(net) {
  const input = padInput();
  const list = $('probs');
  if (!input) {
    $('guess').textContent = '–';
    list.replaceChildren();
    return;
  }
  const p = net.predict(input),
    top = argmax(p);
  $('guess').textContent = String(top);
  list.replaceChildren(
    ...[...p].map((v, d) => {
      const li = document.createElement('li');
      li.className = d === top ? 'top' : '';
      li.innerHTML = `<span>${d}</span><span class="bar" style="width:${(v * 8).toFixed(2)}rem"></span><span>${(v * 100).toFixed(1)}%</span>`;
      return li;
    }),
  );
}

function setupPad(getNet) {
  const pad = $('pad'),
    g = pad.getContext('2d');
  g.lineCap = g.lineJoin = 'round';
  g.lineWidth = 22;
  g.strokeStyle = '#fff';
  let last = null;
  const at = (e) => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  pad.addEventListener('pointerdown', (e) => {
    pad.setPointerCapture(e.pointerId);
    last = at(e);
    g.beginPath();
    g.arc(...last, 11, 0, 7);
    g.fillStyle = '#fff';
    g.fill();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = at(e);
    g.beginPath();
    g.moveTo(...last);
    g.lineTo(...p);
    g.stroke();
    last = p;
    showGuess(getNet());
  });
  const end = () => {
    if (last) {
      last = null;
      showGuess(getNet());
    }
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  $('clear').addEventListener('click', () => {
    g.clearRect(0, 0, pad.width, pad.height);
    showGuess(getNet());
  });
}

// ---- main ----------------------------------------------------------------------------------
// threads: 'auto' uses every core where the page is cross-origin isolated (npm run demo sends the
// headers), and one elsewhere; trainInWorker trains on as many threads inside its worker
const options = {
  layers: [784, 128, 10],
  activation: 'relu',
  output: 'softmax',
  loss: 'cross-entropy',
  seed: 42,
  threads: 'auto',
};
const engines = runtimeEngines();
let net = await NN.create(options);
$('engine').textContent =
  `engine: ${net.engine === 'wasm' ? `Wasm ${net.build}` : 'JavaScript'}, ${net.threads} thread${net.threads === 1 ? '' : 's'} ` +
  `(this browser runs: ${engines.available.join(', ')})`;
setupPad(() => net);
drawChart([], 1);
const data = await loadDigits();
$('samples-note').textContent = `(the first ${SAMPLES} of ${data.test.rows} held-out digits; red = wrong)`;
showSamples(net, data.test);
$('status').textContent =
  `ready: ${TRAIN} training digits, ${data.test.rows} test digits. Untrained test accuracy ${(accuracy(net, data.test) * 100).toFixed(1)}%.`;

let controller = null;
async function train() {
  const epochs = Number($('epochs').value) || 15;
  net.dispose();
  net = await NN.create(options);
  controller = new AbortController();
  $('train').disabled = true;
  $('stop').disabled = false;
  const history = [];
  let frames = 0,
    counting = true;
  const tick = () => {
    frames++;
    $('frames').textContent = `${frames} animation frames while training`;
    if (counting) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  $('status').textContent = 'starting the worker…';
  try {
    const report = await trainInWorker(net, data.train.x, data.train.t, {
      epochs,
      batchSize: 32,
      optimizer: 'adam',
      learningRate: 0.001,
      syncWeights: true,
      signal: controller.signal,
      onEpoch: (info) => {
        const acc = accuracy(net, data.test);
        history.push({ loss: info.loss, accuracy: acc });
        drawChart(history, epochs);
        showSamples(net, data.test);
        showGuess(net);
        $('status').textContent =
          `epoch ${info.epoch}/${epochs}: loss ${info.loss.toFixed(4)}, test accuracy ${(acc * 100).toFixed(1)}%, ` +
          `${Math.round(info.samplesPerSecond).toLocaleString('en')} samples/s in the worker`;
      },
    });
    $('status').textContent =
      `done: ${report.epochs} epochs in ${(report.elapsedMs / 1000).toFixed(1)} s on ${report.build} ` +
      `(worker ready in ${Math.round(report.startupMs)} ms), loss ${report.loss.toFixed(4)}, test accuracy ${(accuracy(net, data.test) * 100).toFixed(1)}%`;
    document.body.dataset.trained = 'true';
  } catch (error) {
    $('status').textContent =
      error.name === 'AbortError'
        ? 'stopped; the network keeps the weights of its last finished epoch'
        : `error: ${error.message}`;
  } finally {
    counting = false;
    $('train').disabled = false;
    $('stop').disabled = true;
  }
}
$('train').addEventListener('click', train);
$('stop').addEventListener('click', () => controller?.abort());
document.body.dataset.ready = 'true';
if (params.has('epochs')) $('epochs').value = params.get('epochs');
if (params.has('autotrain')) train();
