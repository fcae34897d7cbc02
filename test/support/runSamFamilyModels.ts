// Child-process half of test/unit/models/samFamilyModels.test.ts: runs one family's generated encoder
// and decoder (models/test/) in onnxruntime-web (WASM), encoding each synthetic scene once and decoding
// many prompts against the same embeddings, and prints the measurements as one JSON line.
// Usage: tsx test/support/runSamFamilyModels.ts <sam-official | sam2 | transformersjs> [models dir]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { TEST_DECODER_PARAMS } from '../../models/generator/samLikeCore';
import {
  IMAGENET_NORMALISATION,
  SAM_NORMALISATION,
  area,
  argmax,
  binaryPlane,
  coverage,
  dice,
  discOnLowResGrid,
  discOnOriginalGrid,
  maxAbsDifference,
  officialPostprocess,
  renderInput,
  toFrame,
  type Disc,
  type Placement,
  type Scene,
} from './samScenes';

export interface IoSignature {
  inputs: { name: string; type: string; shape: (number | string)[] }[];
  outputs: { name: string; type: string; shape: (number | string)[] }[];
}

export interface FamilyReport {
  io: { encoder: IoSignature; decoder: IoSignature };
  /** Measurements per scenario (see each runner). */
  results: Record<string, Record<string, number | number[] | boolean>>;
  encodes: number;
  decodes: number;
  encodeMs: number[];
  decodeMs: number[];
}

ort.env.wasm.numThreads = 1;
const LOW = 256;
const LOW_PLANE = LOW * LOW;

const family = process.argv[2];
/** What `has_mask_input` = 1 adds to every candidate's logits. */
const maskInputTerm = (previous: number) =>
  TEST_DECODER_PARAMS.maskInputWeight *
  Math.min(TEST_DECODER_PARAMS.maskInputClip, Math.max(-TEST_DECODER_PARAMS.maskInputClip, previous));
const modelsDir = process.argv[3] ?? join(process.cwd(), 'models', 'test');

const report: FamilyReport = {
  io: { encoder: { inputs: [], outputs: [] }, decoder: { inputs: [], outputs: [] } },
  results: {},
  encodes: 0,
  decodes: 0,
  encodeMs: [],
  decodeMs: [],
};

function signature(session: ort.InferenceSession): IoSignature {
  const describe = (m: ort.InferenceSession.ValueMetadata) =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] };
  return { inputs: session.inputMetadata.map(describe), outputs: session.outputMetadata.map(describe) };
}

async function load(file: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(readFileSync(join(modelsDir, file)), { executionProviders: ['wasm'] });
}

async function timed(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  kind: 'encode' | 'decode',
): Promise<Record<string, ort.Tensor>> {
  const start = performance.now();
  const out = (await session.run(feeds)) as Record<string, ort.Tensor>;
  const ms = performance.now() - start;
  if (kind === 'encode') {
    report.encodes++;
    report.encodeMs.push(ms);
  } else {
    report.decodes++;
    report.decodeMs.push(ms);
  }
  return out;
}

const f32 = (data: ArrayLike<number>, dims: number[]) => new ort.Tensor('float32', Float32Array.from(data), dims);
const i64 = (data: ArrayLike<number>, dims: number[]) =>
  new ort.Tensor('int64', BigInt64Array.from(Array.from(data, (v) => BigInt(v))), dims);
const data = (t: ort.Tensor | undefined) => t!.data as Float32Array;
const plane = (t: ort.Tensor | undefined, index: number, size = LOW_PLANE) =>
  data(t).subarray(index * size, (index + 1) * size);

/** [x, y, label] in the 1024 frame. */
type Point = [number, number, number];

function scenesFor(
  kind: 'square' | 'landscape' | 'portrait' | 'odd' | 'shifted',
): Scene & { background: [number, number] } {
  switch (kind) {
    case 'square':
      return {
        height: 1024,
        width: 1024,
        discs: [
          { cx: 320, cy: 360, r: 100 },
          { cx: 760, cy: 760, r: 80 },
        ],
        background: [150, 850],
      };
    case 'landscape':
      return {
        height: 384,
        width: 512,
        discs: [
          { cx: 160, cy: 180, r: 50 },
          { cx: 380, cy: 300, r: 40 },
        ],
        background: [75, 340],
      };
    case 'portrait':
      return {
        height: 512,
        width: 384,
        discs: [
          { cx: 180, cy: 160, r: 50 },
          { cx: 300, cy: 380, r: 40 },
        ],
        background: [340, 60],
      };
    case 'odd':
      // Letterbox scale 2.048: the crop height int(333 * 2.048 + 0.5) = 682 needs the rounding.
      return {
        height: 333,
        width: 500,
        discs: [
          { cx: 160, cy: 170, r: 50 },
          { cx: 400, cy: 260, r: 40 },
        ],
        background: [60, 300],
      };
    case 'shifted':
      return {
        height: 800,
        width: 1000,
        discs: [
          { cx: 680, cy: 250, r: 90 },
          { cx: 220, cy: 600, r: 70 },
        ],
        background: [120, 120],
      };
  }
}

/** Prompt points for a scene, in the 1024 frame. */
function prompts(scene: Scene & { background: [number, number] }, placement: Placement) {
  const target = scene.discs[0]!;
  const at = (x: number, y: number, label: number): Point => [...toFrame(scene, placement, x, y), label];
  const margin = target.r * 0.08;
  return {
    centre: at(target.cx, target.cy, 1),
    background: at(scene.background[0], scene.background[1], 1),
    // Inside the disc, 0.6 r right of the centre.
    exclude: at(target.cx + 0.6 * target.r, target.cy, 0),
    boxTopLeft: at(target.cx - target.r - margin, target.cy - target.r - margin, 2),
    boxBottomRight: at(target.cx + target.r + margin, target.cy + target.r + margin, 3),
    excludePixel: [Math.floor(target.cx + 0.6 * target.r), Math.floor(target.cy)] as [number, number],
  };
}

const flat = (points: Point[]) => ({
  coords: points.flatMap(([x, y]) => [x, y]),
  labels: points.map(([, , label]) => label),
});

// ---------------------------------------------------------------------------------------------
// Official SAM format: encode each scene once (letterbox); masks come back at the original size.
async function runOfficial(): Promise<void> {
  const encoder = await load('sam-official.encoder.onnx');
  const decoder = await load('sam-official.decoder.onnx');
  report.io = { encoder: signature(encoder), decoder: signature(decoder) };

  for (const kind of ['square', 'landscape', 'portrait', 'odd'] as const) {
    const scene = scenesFor(kind);
    const [target, lookAlike] = scene.discs as [Disc, Disc];
    const input = renderInput(scene, 'letterbox', SAM_NORMALISATION);
    const encoded = await timed(encoder, { input_image: f32(input, [1, 3, 1024, 1024]) }, 'encode');
    const embeddings = encoded.image_embeddings!;
    const p = prompts(scene, 'letterbox');
    const size = scene.height * scene.width;
    const truth = discOnOriginalGrid(scene, target);
    const far = discOnOriginalGrid(scene, lookAlike);

    const decode = (points: Point[], maskInput?: Float32Array, hasMask = 0) => {
      const { coords, labels } = flat(points);
      return timed(
        decoder,
        {
          image_embeddings: embeddings,
          point_coords: f32(coords, [1, points.length, 2]),
          point_labels: f32(labels, [1, points.length]),
          mask_input: f32(maskInput ?? new Float32Array(LOW_PLANE), [1, 1, LOW, LOW]),
          has_mask_input: f32([hasMask], [1]),
          orig_im_size: f32([scene.height, scene.width], [2]),
        },
        'decode',
      );
    };
    const best = (out: Record<string, ort.Tensor>) => argmax(data(out.iou_predictions));
    const maskOf = (out: Record<string, ort.Tensor>, index: number) => binaryPlane(data(out.masks), index, size);
    const at = (mask: Uint8Array, [x, y]: [number, number]) => mask[y * scene.width + x] === 1;
    const pad: Point = [0, 0, -1];

    const centre = await decode([p.centre, pad]);
    const centreBest = best(centre);
    report.results[`${kind}.centre`] = {
      masksDims: [...centre.masks!.dims],
      lowResDims: [...centre.low_res_masks!.dims],
      iouDims: [...centre.iou_predictions!.dims],
      iou: Array.from(data(centre.iou_predictions)),
      bestIndex: centreBest,
      dice0: dice(maskOf(centre, 0), truth),
      diceBest: dice(maskOf(centre, centreBest), truth),
      farCoverage0: coverage(maskOf(centre, 0), far),
      farCoverageBest: coverage(maskOf(centre, centreBest), far),
      // The low-resolution output agrees with the disc in the 1024 frame as well.
      lowResDice0: dice(
        binaryPlane(data(centre.low_res_masks), 0, LOW_PLANE),
        discOnLowResGrid(scene, 'letterbox', target),
      ),
      // `masks` equal the official post-processing of `low_res_masks`, recomputed here.
      masksVsReference: Math.max(
        ...[0, 1, 2, 3].map((k) =>
          maxAbsDifference(
            plane(centre.masks, k, size),
            officialPostprocess(plane(centre.low_res_masks, k), scene.height, scene.width),
          ),
        ),
      ),
    };

    const background = await decode([p.background, pad]);
    report.results[`${kind}.background`] = {
      targetCoverage0: coverage(maskOf(background, 0), truth),
      targetCoverageBest: coverage(maskOf(background, best(background)), truth),
      coversPoint: at(maskOf(background, 0), scene.background.map(Math.floor) as [number, number]),
    };

    const exclude = await decode([p.centre, p.exclude, pad]);
    report.results[`${kind}.exclude`] = {
      area0: area(maskOf(exclude, 0)),
      areaWithout0: area(maskOf(centre, 0)),
      excludedPixelIn0: at(maskOf(exclude, 0), p.excludePixel),
      centreIn0: at(maskOf(exclude, 0), [Math.floor(target.cx), Math.floor(target.cy)]),
    };

    const box = await decode([p.boxTopLeft, p.boxBottomRight]);
    report.results[`${kind}.box`] = {
      dice0: dice(maskOf(box, 0), truth),
      diceBest: dice(maskOf(box, best(box)), truth),
      farCoverage0: coverage(maskOf(box, 0), far),
    };

    const padded = await decode([p.centre, pad, [500, 500, -1], [-20, 3000, -1], [p.centre[0], p.centre[1], -1]]);
    const randomMask = Float32Array.from({ length: LOW_PLANE }, (_, i) => ((i * 7919) % 61) - 30);
    const ignoredMask = await decode([p.centre, pad], randomMask, 0);
    const previous = Float32Array.from(plane(centre.low_res_masks, 0));
    const refined = await decode([p.centre, pad], previous, 1);
    let maskInputError = 0;
    for (let k = 0; k < 4; k++) {
      const before = plane(centre.low_res_masks, k);
      const after = plane(refined.low_res_masks, k);
      for (let i = 0; i < LOW_PLANE; i++) {
        const expected = maskInputTerm(previous[i]!);
        maskInputError = Math.max(maskInputError, Math.abs(after[i]! - before[i]! - expected));
      }
    }
    report.results[`${kind}.padding`] = {
      masksDiff: maxAbsDifference(data(padded.masks), data(centre.masks)),
      lowResDiff: maxAbsDifference(data(padded.low_res_masks), data(centre.low_res_masks)),
      iouDiff: maxAbsDifference(data(padded.iou_predictions), data(centre.iou_predictions)),
    };
    report.results[`${kind}.maskInput`] = {
      ignoredDiff: maxAbsDifference(data(ignoredMask.low_res_masks), data(centre.low_res_masks)),
      addedError: maskInputError,
      refinedDice0: dice(maskOf(refined, 0), truth),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// SAM 2.1: stretch to 1024x1024; several label rows (L) in one decoder call.
async function runSam2(): Promise<void> {
  const encoder = await load('sam2.encoder.onnx');
  const decoder = await load('sam2.decoder.onnx');
  report.io = { encoder: signature(encoder), decoder: signature(decoder) };

  for (const kind of ['square', 'landscape'] as const) {
    const scene = scenesFor(kind);
    const [target, lookAlike] = scene.discs as [Disc, Disc];
    const encoded = await timed(
      encoder,
      { image: f32(renderInput(scene, 'stretch', IMAGENET_NORMALISATION), [1, 3, 1024, 1024]) },
      'encode',
    );
    const image = {
      image_embed: encoded.image_embed!,
      high_res_feats_0: encoded.high_res_feats_0!,
      high_res_feats_1: encoded.high_res_feats_1!,
    };
    const p = prompts(scene, 'stretch');
    const truth = discOnLowResGrid(scene, 'stretch', target);
    const far = discOnLowResGrid(scene, 'stretch', lookAlike);

    /** Rows of equal length (pad with label -1 beforehand). */
    const decode = (rows: Point[][], maskInput?: Float32Array, hasMask = 0) => {
      const L = rows.length;
      const N = rows[0]!.length;
      const all = flat(rows.flat());
      return timed(
        decoder,
        {
          ...image,
          point_coords: f32(all.coords, [L, N, 2]),
          point_labels: f32(all.labels, [L, N]),
          mask_input: f32(maskInput ?? new Float32Array(L * LOW_PLANE), [L, 1, LOW, LOW]),
          has_mask_input: f32(new Array(L).fill(hasMask), [L]),
        },
        'decode',
      );
    };
    const pad: Point = [0, 0, -1];
    const bestMask = (out: Record<string, ort.Tensor>, row: number) => {
      const iou = data(out.iou_predictions);
      const k = argmax(iou, row * 3, row * 3 + 3);
      return binaryPlane(data(out.masks), k, LOW_PLANE);
    };
    const at = (mask: Uint8Array, [x, y]: [number, number]) => mask[Math.floor(y / 4) * LOW + Math.floor(x / 4)] === 1;

    // One call, three label rows: centre point, background point, box.
    const batch = await decode([
      [p.centre, pad],
      [p.background, pad],
      [p.boxTopLeft, p.boxBottomRight],
    ]);
    const single = await decode([[p.centre, pad]]);
    report.results[`${kind}.batch`] = {
      masksDims: [...batch.masks!.dims],
      iouDims: [...batch.iou_predictions!.dims],
      iou: Array.from(data(batch.iou_predictions)),
      centreDice: dice(bestMask(batch, 0), truth),
      centreFarCoverage: coverage(bestMask(batch, 0), far),
      backgroundTargetCoverage: coverage(bestMask(batch, 1), truth),
      backgroundCoversPoint: at(bestMask(batch, 1), [p.background[0], p.background[1]]),
      boxDice: dice(bestMask(batch, 2), truth),
      // Row 0 of the batch equals the same prompt decoded alone.
      rowVsSingleDiff: maxAbsDifference(plane(batch.masks, 0, 3 * LOW_PLANE), data(single.masks)),
    };

    const exclude = await decode([[p.centre, p.exclude]]);
    const excludedMedium = binaryPlane(data(exclude.masks), 1, LOW_PLANE);
    report.results[`${kind}.exclude`] = {
      areaMedium: area(excludedMedium),
      areaWithoutMedium: area(binaryPlane(data(single.masks), 1, LOW_PLANE)),
      excludedPointIn: at(excludedMedium, [p.exclude[0], p.exclude[1]]),
      centreIn: at(excludedMedium, [p.centre[0], p.centre[1]]),
    };

    const padded = await decode([[p.centre, pad, [700, 100, -1], [p.centre[0], p.centre[1], -1]]]);
    const previous = Float32Array.from(plane(single.masks, 1));
    const refined = await decode([[p.centre, pad]], previous, 1);
    const ignored = await decode(
      [[p.centre, pad]],
      Float32Array.from({ length: LOW_PLANE }, () => 25),
      0,
    );
    let maskInputError = 0;
    for (let k = 0; k < 3; k++) {
      const before = plane(single.masks, k);
      const after = plane(refined.masks, k);
      for (let i = 0; i < LOW_PLANE; i++) {
        const expected = maskInputTerm(previous[i]!);
        maskInputError = Math.max(maskInputError, Math.abs(after[i]! - before[i]! - expected));
      }
    }
    report.results[`${kind}.padding`] = {
      masksDiff: maxAbsDifference(data(padded.masks), data(single.masks)),
      iouDiff: maxAbsDifference(data(padded.iou_predictions), data(single.iou_predictions)),
    };
    report.results[`${kind}.maskInput`] = {
      ignoredDiff: maxAbsDifference(data(ignored.masks), data(single.masks)),
      addedError: maskInputError,
      refinedDice: dice(bestMask(refined, 0), truth),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Transformers.js SAM / SlimSAM: a batch of two images, point batches, int64 labels, input_boxes.
async function runTransformersJs(): Promise<void> {
  const encoder = await load('transformersjs.vision_encoder.onnx');
  const decoder = await load('transformersjs.prompt_encoder_mask_decoder.onnx');
  report.io = { encoder: signature(encoder), decoder: signature(decoder) };

  const scenes = [scenesFor('square'), scenesFor('shifted')];
  const plane3 = 3 * 1024 * 1024;
  const pixels = new Float32Array(2 * plane3);
  scenes.forEach((scene, b) => pixels.set(renderInput(scene, 'letterbox', IMAGENET_NORMALISATION), b * plane3));
  const encoded = await timed(encoder, { pixel_values: f32(pixels, [2, 3, 1024, 1024]) }, 'encode');
  const embeddings = encoded.image_embeddings!;
  const positional = encoded.image_positional_embeddings!;
  const embedPlane = 256 * 64 * 64;
  const firstImage: Record<string, ort.Tensor> = {
    image_embeddings: f32(data(embeddings).subarray(0, embedPlane), [1, 256, 64, 64]),
    image_positional_embeddings: f32(data(positional).subarray(0, embedPlane), [1, 256, 64, 64]),
  };
  const ps = scenes.map((scene) => prompts(scene, 'letterbox'));
  const truths = scenes.map((scene) => discOnLowResGrid(scene, 'letterbox', scene.discs[0]!));
  const fars = scenes.map((scene) => discOnLowResGrid(scene, 'letterbox', scene.discs[1]!));

  /** points[b][q] = that query's points ([x, y, label], equal lengths); boxes[b] = that image's boxes. */
  const decode = (points: Point[][][], boxes: number[][][], image: Record<string, ort.Tensor> = firstImage) => {
    const B = points.length;
    const pb = points[0]!.length;
    const n = points[0]![0]!.length;
    const all = points.flat(2);
    const nb = boxes[0]!.length;
    return timed(
      decoder,
      {
        input_points: f32(
          all.flatMap(([x, y]) => [x, y]),
          [B, pb, n, 2],
        ),
        input_labels: i64(
          all.map(([, , label]) => label),
          [B, pb, n],
        ),
        input_boxes: f32(boxes.flat(2), [B, nb, 4]),
        ...image,
      },
      'decode',
    );
  };
  const bestMask = (out: Record<string, ort.Tensor>, query: number) => {
    const k = argmax(data(out.iou_scores), query * 3, query * 3 + 3);
    return binaryPlane(data(out.pred_masks), k, LOW_PLANE);
  };
  const at = (mask: Uint8Array, [x, y]: [number, number]) => mask[Math.floor(y / 4) * LOW + Math.floor(x / 4)] === 1;

  // Two images x two queries (centre point, background point), no box.
  const both = await decode(
    ps.map((p) => [[p.centre], [p.background]]),
    [[], []],
    { image_embeddings: embeddings, image_positional_embeddings: positional },
  );
  report.results['batch'] = {
    embeddingsDims: [...embeddings.dims],
    positionalDims: [...positional.dims],
    positionalSame:
      maxAbsDifference(data(positional).subarray(0, embedPlane), data(positional).subarray(embedPlane)) === 0,
    predMasksDims: [...both.pred_masks!.dims],
    iouDims: [...both.iou_scores!.dims],
    iou: Array.from(data(both.iou_scores)),
    centreDice: [dice(bestMask(both, 0), truths[0]!), dice(bestMask(both, 2), truths[1]!)],
    centreFarCoverage: [coverage(bestMask(both, 0), fars[0]!), coverage(bestMask(both, 2), fars[1]!)],
    backgroundTargetCoverage: [coverage(bestMask(both, 1), truths[0]!), coverage(bestMask(both, 3), truths[1]!)],
    // Image 1's centre prompt does not find image 0's disc and vice versa (the batch is not mixed up).
    crossDice: dice(bestMask(both, 2), truths[0]!),
  };

  const p = ps[0]!;
  const box = [p.boxTopLeft[0], p.boxTopLeft[1], p.boxBottomRight[0], p.boxBottomRight[1]];
  // Box only: the point is padding (-10).
  const boxOnly = await decode([[[[0, 0, -10]]]], [[box]]);
  report.results['box'] = {
    dice: dice(bestMask(boxOnly, 0), truths[0]!),
    farCoverage: coverage(bestMask(boxOnly, 0), fars[0]!),
  };

  const centre = await decode([[[p.centre]]], [[]]);
  const exclude = await decode([[[p.centre, p.exclude]]], [[]]);
  const excludedMedium = binaryPlane(data(exclude.pred_masks), 1, LOW_PLANE);
  report.results['exclude'] = {
    areaMedium: area(excludedMedium),
    areaWithoutMedium: area(binaryPlane(data(centre.pred_masks), 1, LOW_PLANE)),
    excludedPointIn: at(excludedMedium, [p.exclude[0], p.exclude[1]]),
    centreIn: at(excludedMedium, [p.centre[0], p.centre[1]]),
  };

  const padded = await decode([[[p.centre, [0, 0, -10], [800, 40, -10], [p.centre[0], p.centre[1], -1]]]], [[]]);
  const degenerateBox = await decode([[[p.centre]]], [[[0, 0, 0, 0]]]);
  report.results['padding'] = {
    masksDiff: maxAbsDifference(data(padded.pred_masks), data(centre.pred_masks)),
    iouDiff: maxAbsDifference(data(padded.iou_scores), data(centre.iou_scores)),
    degenerateBoxDiff: maxAbsDifference(data(degenerateBox.pred_masks), data(centre.pred_masks)),
    batchRowDiff: maxAbsDifference(plane(both.pred_masks, 0, 3 * LOW_PLANE), data(centre.pred_masks)),
  };
}

const runners: Record<string, () => Promise<void>> = {
  'sam-official': runOfficial,
  sam2: runSam2,
  transformersjs: runTransformersJs,
};
const runner = runners[family ?? ''];
if (!runner) throw new Error(`unknown family ${family}; expected one of ${Object.keys(runners).join(', ')}`);
await runner();
console.log(JSON.stringify(report));
