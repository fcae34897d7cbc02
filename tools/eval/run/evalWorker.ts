/**
 * A worker thread of an evaluation: opens the model once, from the bytes the main thread read and checked
 * (tools/models/localModel.ts), in an InferenceEngine (runtime/openModel.ts: its own onnxruntime sessions,
 * onnxruntime-node by default (tools/models/toolRuntime.ts), one thread each, so N workers use N cores; an embedding cache for the volume modes). Then evaluates one
 * reference per message and answers with the reference's result lines: its rows (2D modes on each image
 * or kept slice; volume modes on each volume or series) and a `done` line, or one line saying why it was
 * not evaluated: `skipped` when its data rules it out (reading or decoding a file failed, no object, too
 * large: finished, a rerun does not try it again), `failed` when the model or the evaluator failed on it
 * (not finished: a rerun tries it again, and the run exits non-zero). Only one reference's images and
 * masks are in memory at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceEngine } from '../../../extensions/sam-segmentation/src/runtime/inferenceEngine';
import type { Backend } from '../../../extensions/sam-segmentation/src/runtime/backendSelection';
import type { LocalModel } from '../../models/localModel';
import { toolRuntime } from '../../models/toolRuntime';
import type { ResultLine, ResultRow } from '../results/rows';
import { loadRef } from '../sources/loadRef';
import { ImageTooLargeError } from '../sources/image2d';
import { MIN_OBJECT_PIXELS, type EvalImage, type ImageRef, type WindowChoice } from '../sources/types';
import { loadVolume3d, type EvalVolume } from '../sources/volume3d';
import { ImageEvaluator, type EvaluationOptions } from './evaluateImage';
import { VolumeEvaluator, type VolumeEvaluationOptions } from './evaluateVolume';

export interface WorkerSetup {
  model: LocalModel;
  /** The execution provider (resolved from --backend by the main thread). */
  backend: Backend;
  options: EvaluationOptions;
  window: WindowChoice;
  /** The volume modes, when asked for. */
  volume?: VolumeEvaluationOptions;
  /** Embedding cache budget (bytes, float16) of the worker's engine (the volume modes use it). */
  cacheBytes?: number;
  /** --max-pixels: a 2D image above it is skipped from its header, before it is decoded. */
  maxPixels?: number;
}

export type ToWorker = { type: 'ref'; ref: ImageRef };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; key: string; lines: ResultLine[]; images: number; objects: number };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A slice file that could not be read while the volume modes walked the volume: the data's, not the model's. */
class SliceReadError extends Error {}

/** The volume with its lazy slice reads marked, so a bad slice file is told apart from a model failure. */
function markingReadErrors(volume: EvalVolume): EvalVolume {
  const marked =
    <T>(read: (k: number) => T) =>
    (k: number) => {
      try {
        return read(k);
      } catch (err) {
        throw new SliceReadError(message(err));
      }
    };
  return { ...volume, slice: marked(volume.slice), voi: marked(volume.voi) };
}

/** The file a reference names, for a skipped or failed line. */
function mainFile(ref: ImageRef): string {
  return ref.kind === 'dicom-series' ? (ref.files[0] ?? ref.key) : ref.image;
}

/** Whether the run scores the 2D modes (per image, per kept slice of a volume). */
const runs2d = (o: EvaluationOptions) => o.modes.length > 0 || o.everything !== undefined || o.clicks > 0;

async function evaluateRef(engine: InferenceEngine, setup: WorkerSetup, ref: ImageRef): Promise<FromWorker> {
  const started = performance.now();
  const path = mainFile(ref);
  const only = (line: ResultLine): FromWorker => ({
    type: 'result',
    key: ref.key,
    lines: [line],
    images: 0,
    objects: 0,
  });
  // Reading and decoding the files: the data's problem. An image too large says how large, for a rerun.
  const skipped = (err: unknown): FromWorker =>
    only({
      type: 'skipped',
      ref: ref.key,
      path,
      reason: message(err),
      ...(err instanceof ImageTooLargeError && { pixels: err.pixels }),
    });
  // Running the model or the evaluator: not the data's, so not finished (the rows so far are dropped).
  const failed = (reason: string): FromWorker => only({ type: 'failed', ref: ref.key, path, reason });
  const modelId = setup.model.entry.id;
  const model = engine.samModel(modelId);
  const rows: ResultRow[] = [];
  let images = 0;
  let objects = 0;
  if (ref.kind === 'image2d' && !runs2d(setup.options)) {
    return skipped(`a 2D image: the volume modes (${setup.volume?.modes.join(', ')}) need a volume or a DICOM series.`);
  }
  // A volume's slices come one at a time: only the current slice's pixels and masks are held.
  let slices: Iterator<EvalImage>;
  try {
    const limits = setup.maxPixels !== undefined ? { maxPixels: setup.maxPixels } : {};
    slices = (runs2d(setup.options) ? loadRef(ref, setup.window, limits) : [])[Symbol.iterator]();
  } catch (err) {
    return skipped(err);
  }
  for (;;) {
    let next: IteratorResult<EvalImage>;
    try {
      next = slices.next();
    } catch (err) {
      return skipped(err);
    }
    if (next.done) break;
    const image = next.value;
    try {
      rows.push(...(await new ImageEvaluator(model, image, ref.key, setup.options).evaluate()));
    } catch (err) {
      return failed(`evaluation of ${image.id} failed: ${message(err)}`);
    }
    images++;
    objects += image.objects.length;
  }
  let objects3d: number | undefined;
  if (setup.volume && ref.kind !== 'image2d') {
    let volume;
    try {
      volume = markingReadErrors(loadVolume3d(ref, setup.window));
    } catch (err) {
      return skipped(err);
    }
    try {
      rows.push(...(await new VolumeEvaluator(engine, modelId, volume, setup.volume).evaluate()));
    } catch (err) {
      if (err instanceof SliceReadError) return skipped(err);
      return failed(`volume evaluation of ${ref.key} failed: ${message(err)}`);
    }
    objects3d = volume.objects.length;
    images = Math.max(images, volume.depth); // the volume modes walk every slice
  }
  // A volume or series with no object to score is not "done" with nothing in it: it says why (a 2D image
  // has said so while loading).
  if (objects === 0 && !objects3d) {
    return skipped(`no object: no slice has an object of more than ${MIN_OBJECT_PIXELS} pixels (the study's rule).`);
  }
  const ms = Math.round(performance.now() - started);
  return {
    type: 'result',
    key: ref.key,
    lines: [
      ...rows,
      { type: 'done', ref: ref.key, images, objects, ms, ...(objects3d !== undefined && { objects3d }) },
    ],
    images,
    objects: objects + (objects3d ?? 0),
  };
}

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  try {
    // One engine: the model's sessions (the 2D modes decode on them directly) and the embedding cache.
    const engine = new InferenceEngine({
      float16: true,
      ...(setup.cacheBytes !== undefined && { budgetBytes: setup.cacheBytes }),
    });
    await engine.loadModel(setup.model.entry, setup.model.files, setup.backend, await toolRuntime(setup.backend));
    // One reference at a time: the main thread sends the next when this one's answer arrives.
    port.on('message', (msg: ToWorker) => {
      void evaluateRef(engine, setup, msg.ref).then((answer) => port.postMessage(answer));
    });
    port.postMessage({ type: 'ready' } satisfies FromWorker);
  } catch (err) {
    port.postMessage({ type: 'failed', message: message(err) } satisfies FromWorker);
  }
}
