// A worker started from source text, on either platform: a Web Worker from a Blob URL in browsers,
// a worker_threads eval worker in Node. No file to host or to lose in a downstream bundle. Used by
// the helper threads of the Wasm engine (threads.ts) and by trainInWorker (src/worker.ts).

/** A worker, reduced to what simdnet needs of it. */
export interface WorkerPort<In, Out> {
  post(message: In): void;
  onMessage(handler: (message: Out) => void): void;
  onError(handler: (error: Error) => void): void;
  terminate(): void;
  /** Lets a Node process exit while this worker is alive (nothing in browsers). */
  unref(): void;
}

interface WorkerThreads {
  Worker: new (
    code: string,
    options: { eval: true; name?: string },
  ) => {
    postMessage(m: unknown): void;
    on(e: string, f: (v: never) => void): void;
    terminate(): Promise<number>;
    unref(): void;
  };
  parentPort: {
    postMessage(m: unknown, transfer?: ArrayBuffer[]): void;
    on(e: 'message', f: (m: never) => void): void;
  } | null;
}

/** Node's worker_threads (through process.getBuiltinModule, Node ≥ 20.16), or undefined elsewhere. */
export function nodeWorkerThreads(): WorkerThreads | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  return proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
}

/** Whether startWorker can start a worker here. */
export function workersAvailable(): boolean {
  return (
    (typeof Worker === 'function' && typeof Blob === 'function' && typeof URL.createObjectURL === 'function') ||
    nodeWorkerThreads() !== undefined
  );
}

/**
 * Starts a worker running `source` (a classic script); `name` shows in browser dev tools. Node's
 * worker_threads come first where they exist: a global `Worker` in Node may be another library's
 * (onnxruntime-web defines one once a session is created), which takes no blob URL.
 */
export function startWorker<In, Out>(source: string, name: string): WorkerPort<In, Out> {
  const threads = nodeWorkerThreads();
  if (threads) return nodeWorker(threads, source, name);
  if (typeof Worker === 'function' && typeof Blob === 'function' && typeof URL.createObjectURL === 'function') {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url, { name });
    URL.revokeObjectURL(url); // the worker has its URL; revoking after construction is allowed
    return {
      post: (m) => worker.postMessage(m),
      onMessage: (f) => {
        worker.onmessage = (e: MessageEvent<Out>) => f(e.data);
      },
      onError: (f) => {
        worker.onerror = (e) => {
          e.preventDefault();
          f(new Error(e.message));
        };
      },
      terminate: () => worker.terminate(),
      unref: () => {},
    };
  }
  throw new Error('simdnet: workers need Web Workers or Node ≥ 20.16 (worker_threads via process.getBuiltinModule)');
}

function nodeWorker<In, Out>(threads: WorkerThreads, source: string, name: string): WorkerPort<In, Out> {
  const worker = new threads.Worker(source, { eval: true, name });
  return {
    post: (m) => worker.postMessage(m),
    onMessage: (f) => worker.on('message', f as (v: never) => void),
    onError: (f) => worker.on('error', ((e: Error) => f(new Error(`${e.name}: ${e.message}`))) as (v: never) => void),
    terminate: () => {
      void worker.terminate();
    },
    unref: () => worker.unref(),
  };
}
