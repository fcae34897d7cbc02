/**
 * A worker thread of an evaluation: opens the model once, from the bytes the main thread read and checked
 * (tools/models/localModel.ts), with runtime/openModel.ts: its own onnxruntime sessions, one WASM thread,
 * so N workers use N cores. Then evaluates one reference per message and answers with the reference's
 * result lines: its rows and a `done` line, or a `skipped` line saying why it could not be evaluated.
 * Only one reference's images and masks are in memory at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';
import { openModel } from '../../../extensions/sam-segmentation/src/runtime/openModel';
import type { SamModel } from '../../../extensions/sam-segmentation/src/runtime/samModel';
import type { LocalModel } from '../../models/localModel';
import type { ResultLine, ResultRow } from '../results/rows';
import { loadRef } from '../sources/loadRef';
import type { EvalImage, ImageRef, WindowChoice } from '../sources/types';
import { ImageEvaluator, type EvaluationOptions } from './evaluateImage';

export interface WorkerSetup {
  model: LocalModel;
  options: EvaluationOptions;
  window: WindowChoice;
}

export type ToWorker = { type: 'ref'; ref: ImageRef };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; key: string; lines: ResultLine[]; images: number; objects: number };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The file a reference names, for a skipped line. */
function mainFile(ref: ImageRef): string {
  return ref.kind === 'dicom-series' ? (ref.files[0] ?? ref.key) : ref.image;
}

async function evaluateRef(model: SamModel, setup: WorkerSetup, ref: ImageRef): Promise<FromWorker> {
  const started = performance.now();
  const skipped = (reason: string): FromWorker => ({
    type: 'result',
    key: ref.key,
    lines: [{ type: 'skipped', ref: ref.key, path: mainFile(ref), reason }],
    images: 0,
    objects: 0,
  });
  const rows: ResultRow[] = [];
  let images = 0;
  let objects = 0;
  // A volume's slices come one at a time: only the current slice's pixels and masks are held.
  let slices: Iterator<EvalImage>;
  try {
    slices = loadRef(ref, setup.window)[Symbol.iterator]();
  } catch (err) {
    return skipped(message(err));
  }
  for (;;) {
    let next: IteratorResult<EvalImage>;
    try {
      next = slices.next();
    } catch (err) {
      return skipped(message(err));
    }
    if (next.done) break;
    const image = next.value;
    try {
      rows.push(...(await new ImageEvaluator(model, image, ref.key, setup.options).evaluate()));
    } catch (err) {
      return skipped(`evaluation of ${image.id} failed: ${message(err)}`);
    }
    images++;
    objects += image.objects.length;
  }
  const ms = Math.round(performance.now() - started);
  return {
    type: 'result',
    key: ref.key,
    lines: [...rows, { type: 'done', ref: ref.key, images, objects, ms }],
    images,
    objects,
  };
}

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  ort.env.wasm.numThreads = 1;
  try {
    const model = await openModel(setup.model.entry, setup.model.files);
    // One reference at a time: the main thread sends the next when this one's answer arrives.
    port.on('message', (msg: ToWorker) => {
      void evaluateRef(model, setup, msg.ref).then((answer) => port.postMessage(answer));
    });
    port.postMessage({ type: 'ready' } satisfies FromWorker);
  } catch (err) {
    port.postMessage({ type: 'failed', message: message(err) } satisfies FromWorker);
  }
}
