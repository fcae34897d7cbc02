/**
 * Runs references on N worker threads (evalWorker.ts), one reference per worker at a time, and hands
 * each answer to `onResult` in the order they finish. A worker that dies (out of memory, a crash in
 * onnxruntime) has its reference reported as failed (not its data's fault as far as anyone knows, so a
 * rerun tries it again) and is replaced, so one bad image cannot stop a run of 100,000. Workers are TypeScript: each registers tsx's loader before importing evalWorker.ts.
 */
import { Worker } from 'node:worker_threads';
import type { ImageRef } from '../sources/types';
import type { FromWorker, ToWorker, WorkerSetup } from './evalWorker';

type Result = Extract<FromWorker, { type: 'result' }>;

const WORKER_URL = new URL('./evalWorker.ts', import.meta.url).href;
const BOOTSTRAP = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL)}); })`;

function startWorker(setup: WorkerSetup): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: setup });
    const onMessage = (msg: FromWorker) => {
      worker.off('error', onError);
      worker.off('message', onMessage);
      if (msg.type === 'ready') resolve(worker);
      else {
        void worker.terminate();
        reject(new Error(msg.type === 'failed' ? msg.message : 'The evaluation worker did not start.'));
      }
    };
    const onError = (err: Error) => reject(err);
    worker.on('message', onMessage);
    worker.once('error', onError);
  });
}

export async function runOnWorkers(
  refs: Iterable<ImageRef>,
  jobs: number,
  setup: WorkerSetup,
  onResult: (result: Result) => void,
): Promise<void> {
  const queue = refs[Symbol.iterator]();
  const next = (): ImageRef | undefined => {
    const item = queue.next();
    return item.done ? undefined : item.value;
  };

  const lane = async (worker: Worker): Promise<void> => {
    for (let ref = next(); ref; ref = next()) {
      const current = ref;
      const answer = await new Promise<Result | Error>((resolve) => {
        const onMessage = (msg: FromWorker) => {
          if (msg.type !== 'result') return;
          cleanup();
          resolve(msg);
        };
        const onFailure = (err: Error | number) => {
          cleanup();
          resolve(err instanceof Error ? err : new Error(`the worker exited with code ${err}`));
        };
        const cleanup = () => {
          worker.off('message', onMessage);
          worker.off('error', onFailure);
          worker.off('exit', onFailure);
        };
        worker.on('message', onMessage);
        worker.once('error', onFailure);
        worker.once('exit', onFailure);
        worker.postMessage({ type: 'ref', ref: current } satisfies ToWorker);
      });
      if (answer instanceof Error) {
        const path = current.kind === 'dicom-series' ? (current.files[0] ?? current.key) : current.image;
        onResult({
          type: 'result',
          key: current.key,
          lines: [{ type: 'failed', ref: current.key, path, reason: `the worker failed on it: ${answer.message}` }],
          images: 0,
          objects: 0,
        });
        await worker.terminate();
        worker = await startWorker(setup);
        continue;
      }
      onResult(answer);
    }
    await worker.terminate();
  };

  // The first worker proves the model opens before more start (a wrong file fails once, not N times).
  const first = await startWorker(setup);
  const others = await Promise.all(Array.from({ length: Math.max(0, jobs - 1) }, () => startWorker(setup)));
  await Promise.all([first, ...others].map(lane));
}
