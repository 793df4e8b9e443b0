// trainAsync keeps a Node HTTP server answering. A server in this process answers every request
// with a prediction of the network being trained; a client fires requests one after another while
// the network trains. Training stops itself (onBatch returns false) once 20 responses have come
// back, so those responses provably arrived while training was still running: no timing
// assertion. timeLimitMs is only a safety net that turns a starved server into a failure, not a hang.
// The same setup with the synchronous train() gets no answer at all until training returns.
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { classTask } from './helpers/random-data.js';
import { ENGINES } from './helpers/engines.js';
import { classic, classicTrain } from './helpers/classic.js';

const WANTED = 20;

let server: Server;
let port = 0;
let current: NN | null = null;
let answered = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    // a prediction from the network that is training (predict is allowed during trainAsync)
    const y = current ? Array.from(current.predict(new Float32Array(64).fill(0.5))) : [];
    answered++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ y }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function request(): Promise<number[]> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve((JSON.parse(body) as { y: number[] }).y));
    }).on('error', reject);
  });
}

describe.each(ENGINES)('trainAsync on %s and an HTTP server in the same process', (engine) => {
  // 64-128-10, 2,000 rows, batches of 32: a few ms per epoch slice; enough to train for seconds
  const { x, t } = classTask(2000, 64, 10, 9);

  it(`the server answers ${WANTED} requests, one after another, while one trainAsync call is still running`, async () => {
    const net = await NN.create(
      classic({ layers: [64, 128, 10], activation: 'relu', loss: 'cross-entropy', engine, seed: 3 }),
    );
    current = net;
    answered = 0;
    let trainingDone = false;
    const responses: { y: number[]; duringTraining: boolean }[] = [];
    const client = (async () => {
      while (!trainingDone && responses.length < WANTED) {
        const y = await request();
        responses.push({ y, duringTraining: !trainingDone });
      }
    })();
    const report = await net.trainAsync(
      x,
      t,
      classicTrain({
        epochs: 1e6,
        batchSize: 32,
        optimizer: 'adam',
        timeLimitMs: 20_000,
        onBatch: () => responses.length < WANTED,
      }),
    );
    trainingDone = true;
    await client;
    // training ended because the responses had arrived, not because of the safety time limit
    expect(report.stoppedBy).toBe('callback');
    expect(responses.length).toBe(WANTED);
    expect(responses.every((r) => r.duringTraining)).toBe(true);
    // each answer is a real prediction of the training network: 10 softmax probabilities
    for (const { y } of responses) {
      expect(y).toHaveLength(10);
      expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    }
    current = null;
    net.dispose();
  });

  it('by contrast, synchronous train() answers nothing until it returns', async () => {
    const net = await NN.create(
      classic({ layers: [64, 128, 10], activation: 'relu', loss: 'cross-entropy', engine, seed: 3 }),
    );
    answered = 0;
    const pending = request();
    let answeredDuring = 0;
    net.train(
      x,
      t,
      classicTrain({
        epochs: 1e6,
        batchSize: 32,
        timeLimitMs: 150,
        onBatch: () => {
          answeredDuring = Math.max(answeredDuring, answered);
        },
      }),
    );
    expect(answeredDuring).toBe(0);
    await pending;
    expect(answered).toBe(1);
    net.dispose();
  });
});
