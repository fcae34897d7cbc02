/**
 * Benchmarks one model with the same InferenceEngine the browser worker uses, in Node (onnxruntime
 * WASM): session creation, encoder ms per slice, decoder ms per prompt, cache bytes per slice, peak
 * memory. The slices are the embedded CT phantom's, the prompts points and boxes on its objects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import type { ModelEntry, Prompt, SlicePixels } from '../../extensions/sam-segmentation/src/core';
import { InferenceEngine } from '../../extensions/sam-segmentation/src/runtime/inferenceEngine';

export interface NodeBenchResult {
  model: string;
  backend: 'wasm';
  environment: string;
  sessionCreateMs: number;
  encodeMs: { p50: number; p95: number; n: number };
  decodeMs: { p50: number; p95: number; n: number };
  cacheBytesPerSlice: number;
  peakRssMiB: number;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

/** Reads a CT slice (Part 10 file) into the core's SlicePixels. */
export function readCtSlice(path: string): SlicePixels {
  const file = readFileSync(path);
  const dict = dcmjs.data.DicomMessage.readFile(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength));
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict) as Record<string, unknown>;
  const pixelData = (ds.PixelData as ArrayBuffer[])[0]!;
  const signed = ds.PixelRepresentation === 1;
  return {
    values: signed ? new Int16Array(pixelData) : new Uint16Array(pixelData),
    rows: ds.Rows as number,
    columns: ds.Columns as number,
    samplesPerPixel: 1,
    photometricInterpretation: String(ds.PhotometricInterpretation ?? 'MONOCHROME2'),
    rescaleSlope: Number(ds.RescaleSlope ?? 1),
    rescaleIntercept: Number(ds.RescaleIntercept ?? 0),
  };
}

export async function benchModel(
  entry: ModelEntry,
  files: { encoder: Uint8Array; decoder: Uint8Array },
  slices: SlicePixels[],
  prompts: Prompt[],
): Promise<NodeBenchResult> {
  let peakRss = process.memoryUsage().rss;
  const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const engine = new InferenceEngine();
  const created = performance.now();
  await engine.loadModel(entry, files, 'wasm');
  const sessionCreateMs = performance.now() - created;
  sample();

  const voi = { kind: 'window' as const, center: 40, width: 400 };
  const encodeTimes: number[] = [];
  for (let i = 0; i < slices.length; i++) {
    const outcome = await engine.encode({
      modelId: entry.id,
      imageKey: `slice${i}`,
      preprocessingKey: 'w40/400',
      slice: slices[i]!,
      voi,
    });
    encodeTimes.push(outcome.encodeMs);
    sample();
  }
  const cacheBytesPerSlice = engine.cache.stats().bytes / Math.max(1, engine.cache.stats().entries);

  const decodeTimes: number[] = [];
  for (let i = 0; i < slices.length; i++) {
    for (const prompt of prompts) {
      const { decodeMs } = await engine.decode({
        modelId: entry.id,
        imageKey: `slice${i}`,
        preprocessingKey: 'w40/400',
        prompt,
      });
      decodeTimes.push(decodeMs);
    }
    sample();
  }
  await engine.unloadModel(entry.id);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    model: entry.id,
    backend: 'wasm',
    environment: `Node ${process.version}, onnxruntime-web WASM`,
    sessionCreateMs: round(sessionCreateMs),
    encodeMs: {
      p50: round(percentile(encodeTimes, 0.5)),
      p95: round(percentile(encodeTimes, 0.95)),
      n: encodeTimes.length,
    },
    decodeMs: {
      p50: round(percentile(decodeTimes, 0.5)),
      p95: round(percentile(decodeTimes, 0.95)),
      n: decodeTimes.length,
    },
    cacheBytesPerSlice: Math.round(cacheBytesPerSlice),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
  };
}

export const PHANTOM_DIR = join(import.meta.dirname, '..', '..', 'viewer', 'samples', 'generated', 'phantom-ct');
