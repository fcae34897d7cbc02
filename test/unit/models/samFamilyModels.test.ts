/**
 * The project's SAM-family stand-in models (models/test/) in the real onnxruntime-web (WASM, in child
 * Node processes, one per family, run in parallel): exact inputs and outputs of each family, and masks
 * that land where the prompt is on synthetic scenes (a bright target disc, a look-alike disc far away,
 * a dark background). Each scene is encoded once and decoded with many prompts.
 */
import type { FamilyReport, IoSignature } from '../../support/runSamFamilyModels';
import { runTsScriptAsync } from '../../support/runTsScriptAsync';

const FAMILIES = ['sam-official', 'sam2', 'transformersjs'] as const;
type Family = (typeof FAMILIES)[number];

const pending = new Map<Family, Promise<FamilyReport>>();
function reportOf(family: Family): Promise<FamilyReport> {
  let report = pending.get(family);
  if (!report) {
    report = runTsScriptAsync<FamilyReport>('test/support/runSamFamilyModels.ts', [family]);
    pending.set(family, report);
  }
  return report;
}

// Start all three children at once; each test awaits its family's report.
beforeAll(() => {
  for (const family of FAMILIES) void reportOf(family).catch(() => undefined);
});

const TIMEOUT = 90_000;
const tensor = (name: string, type: string, shape: (number | string)[]) => ({ name, type, shape });

/** A Dice above this counts as "the mask is the disc". */
const SAME = 0.8;
/** A region covered less than this counts as "not covered". */
const NOT_COVERED = 0.05;
/** Outputs equal up to float rounding. */
const EQUAL = 1e-5;

type Results = FamilyReport['results'];
const num = (results: Results, key: string, field: string) => results[key]![field] as number;
const nums = (results: Results, key: string, field: string) => results[key]![field] as number[];
const flag = (results: Results, key: string, field: string) => results[key]![field] as boolean;

describe('official SAM format stand-in (sam-official.encoder/decoder)', () => {
  const expectedIo: { encoder: IoSignature; decoder: IoSignature } = {
    encoder: {
      inputs: [tensor('input_image', 'float32', [1, 3, 1024, 1024])],
      outputs: [tensor('image_embeddings', 'float32', [1, 256, 64, 64])],
    },
    decoder: {
      inputs: [
        tensor('image_embeddings', 'float32', [1, 256, 64, 64]),
        tensor('point_coords', 'float32', [1, 'num_points', 2]),
        tensor('point_labels', 'float32', [1, 'num_points']),
        tensor('mask_input', 'float32', [1, 1, 256, 256]),
        tensor('has_mask_input', 'float32', [1]),
        tensor('orig_im_size', 'float32', [2]),
      ],
      outputs: [
        tensor('masks', 'float32', [1, 4, 'orig_height', 'orig_width']),
        tensor('iou_predictions', 'float32', [1, 4]),
        tensor('low_res_masks', 'float32', [1, 4, 256, 256]),
      ],
    },
  };
  const scenes = [
    ['square', 1024, 1024],
    ['landscape', 384, 512],
    ['portrait', 512, 384],
    ['odd', 333, 500],
  ] as const;

  it(
    'has exactly the inputs and outputs of the official export',
    async () => {
      expect((await reportOf('sam-official')).io).toEqual(expectedIo);
    },
    TIMEOUT,
  );

  it(
    'encodes each scene once and decodes every prompt against the same embeddings',
    async () => {
      const { encodes, decodes } = await reportOf('sam-official');
      expect(encodes).toBe(scenes.length);
      expect(decodes).toBe(scenes.length * 7);
    },
    TIMEOUT,
  );

  describe.each(scenes)('%s image (%i x %i)', (kind, height, width) => {
    it(
      'returns masks at orig_im_size as the official decoder computes them, low-res masks at 256 x 256, IoUs in [0, 1]',
      async () => {
        const { results } = await reportOf('sam-official');
        expect(nums(results, `${kind}.centre`, 'masksDims')).toEqual([1, 4, height, width]);
        expect(nums(results, `${kind}.centre`, 'lowResDims')).toEqual([1, 4, 256, 256]);
        expect(nums(results, `${kind}.centre`, 'iouDims')).toEqual([1, 4]);
        // Exactly the official post-processing (upsample to 1024, crop int(size * s + 0.5), resize), recomputed
        // in TypeScript: a crop one row off would differ by ~20 here.
        expect(num(results, `${kind}.centre`, 'masksVsReference')).toBeLessThan(0.01);
        for (const iou of nums(results, `${kind}.centre`, 'iou')) {
          expect(iou).toBeGreaterThanOrEqual(0);
          expect(iou).toBeLessThanOrEqual(1);
        }
      },
      TIMEOUT,
    );

    it(
      'a point at the disc centre gives the disc on the original pixels, not the look-alike far away',
      async () => {
        const { results } = await reportOf('sam-official');
        const r = `${kind}.centre`;
        expect(num(results, r, 'dice0')).toBeGreaterThan(SAME);
        expect(num(results, r, 'diceBest')).toBeGreaterThan(SAME);
        expect(num(results, r, 'lowResDice0')).toBeGreaterThan(SAME);
        expect(num(results, r, 'farCoverage0')).toBeLessThan(NOT_COVERED);
        expect(num(results, r, 'farCoverageBest')).toBeLessThan(NOT_COVERED);
      },
      TIMEOUT,
    );

    it(
      'a point in the background gives a mask around it that does not cover the disc',
      async () => {
        const { results } = await reportOf('sam-official');
        expect(num(results, `${kind}.background`, 'targetCoverage0')).toBeLessThan(NOT_COVERED);
        expect(num(results, `${kind}.background`, 'targetCoverageBest')).toBeLessThan(NOT_COVERED);
        expect(flag(results, `${kind}.background`, 'coversPoint')).toBe(true);
      },
      TIMEOUT,
    );

    it(
      'an exclude point inside the disc removes its surroundings from the mask',
      async () => {
        const { results } = await reportOf('sam-official');
        const r = `${kind}.exclude`;
        expect(num(results, r, 'area0')).toBeLessThan(0.9 * num(results, r, 'areaWithout0'));
        expect(flag(results, r, 'excludedPixelIn0')).toBe(false);
        expect(flag(results, r, 'centreIn0')).toBe(true);
      },
      TIMEOUT,
    );

    it(
      'a box (corners labelled 2 and 3) around the disc gives the disc',
      async () => {
        const { results } = await reportOf('sam-official');
        expect(num(results, `${kind}.box`, 'dice0')).toBeGreaterThan(SAME);
        expect(num(results, `${kind}.box`, 'diceBest')).toBeGreaterThan(SAME);
        expect(num(results, `${kind}.box`, 'farCoverage0')).toBeLessThan(NOT_COVERED);
      },
      TIMEOUT,
    );

    it(
      'padding points (label -1) change nothing',
      async () => {
        const { results } = await reportOf('sam-official');
        expect(num(results, `${kind}.padding`, 'masksDiff')).toBeLessThanOrEqual(EQUAL);
        expect(num(results, `${kind}.padding`, 'lowResDiff')).toBeLessThanOrEqual(EQUAL);
        expect(num(results, `${kind}.padding`, 'iouDiff')).toBeLessThanOrEqual(EQUAL);
      },
      TIMEOUT,
    );

    it(
      'mask_input is ignored with has_mask_input = 0 and added (weighted, clipped) with 1',
      async () => {
        const { results } = await reportOf('sam-official');
        expect(num(results, `${kind}.maskInput`, 'ignoredDiff')).toBeLessThanOrEqual(EQUAL);
        expect(num(results, `${kind}.maskInput`, 'addedError')).toBeLessThan(1e-3);
        expect(num(results, `${kind}.maskInput`, 'refinedDice0')).toBeGreaterThan(SAME);
      },
      TIMEOUT,
    );
  });
});

describe('SAM 2.1 stand-in (sam2.encoder/decoder)', () => {
  const expectedIo: { encoder: IoSignature; decoder: IoSignature } = {
    encoder: {
      inputs: [tensor('image', 'float32', [1, 3, 1024, 1024])],
      outputs: [
        tensor('high_res_feats_0', 'float32', [1, 32, 256, 256]),
        tensor('high_res_feats_1', 'float32', [1, 64, 128, 128]),
        tensor('image_embed', 'float32', [1, 256, 64, 64]),
      ],
    },
    decoder: {
      inputs: [
        tensor('image_embed', 'float32', [1, 256, 64, 64]),
        tensor('high_res_feats_0', 'float32', [1, 32, 256, 256]),
        tensor('high_res_feats_1', 'float32', [1, 64, 128, 128]),
        tensor('point_coords', 'float32', ['num_labels', 'num_points', 2]),
        tensor('point_labels', 'float32', ['num_labels', 'num_points']),
        tensor('mask_input', 'float32', ['num_labels', 1, 256, 256]),
        tensor('has_mask_input', 'float32', ['num_labels']),
      ],
      outputs: [
        tensor('masks', 'float32', ['num_labels', 3, 256, 256]),
        tensor('iou_predictions', 'float32', ['num_labels', 3]),
      ],
    },
  };

  it(
    'has exactly the inputs and outputs of the SAM 2.1 export',
    async () => {
      expect((await reportOf('sam2')).io).toEqual(expectedIo);
    },
    TIMEOUT,
  );

  it(
    'encodes each scene once and decodes every prompt against the same features',
    async () => {
      const { encodes, decodes } = await reportOf('sam2');
      expect(encodes).toBe(2);
      expect(decodes).toBe(2 * 6);
    },
    TIMEOUT,
  );

  describe.each(['square', 'landscape'])('%s image, stretched to 1024 x 1024', (kind) => {
    it(
      'decodes three label rows in one call: centre point → disc, background point → not the disc, box → disc',
      async () => {
        const { results } = await reportOf('sam2');
        const r = `${kind}.batch`;
        expect(nums(results, r, 'masksDims')).toEqual([3, 3, 256, 256]);
        expect(nums(results, r, 'iouDims')).toEqual([3, 3]);
        expect(num(results, r, 'centreDice')).toBeGreaterThan(SAME);
        expect(num(results, r, 'centreFarCoverage')).toBeLessThan(NOT_COVERED);
        expect(num(results, r, 'backgroundTargetCoverage')).toBeLessThan(NOT_COVERED);
        expect(flag(results, r, 'backgroundCoversPoint')).toBe(true);
        expect(num(results, r, 'boxDice')).toBeGreaterThan(SAME);
        // A row of the batch equals the same prompt decoded alone.
        expect(num(results, r, 'rowVsSingleDiff')).toBeLessThanOrEqual(EQUAL);
      },
      TIMEOUT,
    );

    it(
      'an exclude point shrinks the mask and removes its surroundings',
      async () => {
        const { results } = await reportOf('sam2');
        const r = `${kind}.exclude`;
        expect(num(results, r, 'areaMedium')).toBeLessThan(0.9 * num(results, r, 'areaWithoutMedium'));
        expect(flag(results, r, 'excludedPointIn')).toBe(false);
        expect(flag(results, r, 'centreIn')).toBe(true);
      },
      TIMEOUT,
    );

    it(
      'padding points change nothing; mask_input counts only with has_mask_input = 1',
      async () => {
        const { results } = await reportOf('sam2');
        expect(num(results, `${kind}.padding`, 'masksDiff')).toBeLessThanOrEqual(EQUAL);
        expect(num(results, `${kind}.padding`, 'iouDiff')).toBeLessThanOrEqual(EQUAL);
        expect(num(results, `${kind}.maskInput`, 'ignoredDiff')).toBeLessThanOrEqual(EQUAL);
        expect(num(results, `${kind}.maskInput`, 'addedError')).toBeLessThan(1e-3);
        expect(num(results, `${kind}.maskInput`, 'refinedDice')).toBeGreaterThan(SAME);
      },
      TIMEOUT,
    );
  });
});

describe('Transformers.js SAM / SlimSAM stand-in (transformersjs.vision_encoder/prompt_encoder_mask_decoder)', () => {
  const embedding = ['batch_size', 256, 64, 64];
  const expectedIo: { encoder: IoSignature; decoder: IoSignature } = {
    encoder: {
      inputs: [tensor('pixel_values', 'float32', ['batch_size', 3, 1024, 1024])],
      outputs: [
        tensor('image_embeddings', 'float32', embedding),
        tensor('image_positional_embeddings', 'float32', embedding),
      ],
    },
    decoder: {
      inputs: [
        tensor('input_points', 'float32', ['batch_size', 'point_batch_size', 'nb_points_per_image', 2]),
        tensor('input_labels', 'int64', ['batch_size', 'point_batch_size', 'nb_points_per_image']),
        tensor('input_boxes', 'float32', ['batch_size', 'nb_boxes', 4]),
        tensor('image_embeddings', 'float32', embedding),
        tensor('image_positional_embeddings', 'float32', embedding),
      ],
      outputs: [
        tensor('iou_scores', 'float32', ['batch_size', 'point_batch_size', 3]),
        tensor('pred_masks', 'float32', ['batch_size', 'point_batch_size', 3, 256, 256]),
      ],
    },
  };

  it(
    'has exactly the inputs and outputs of the Transformers.js exports (with input_boxes)',
    async () => {
      expect((await reportOf('transformersjs')).io).toEqual(expectedIo);
    },
    TIMEOUT,
  );

  it(
    'encodes a batch of two images once; two point batches per image find each image its own disc',
    async () => {
      const report = await reportOf('transformersjs');
      expect(report.encodes).toBe(1);
      const { results } = report;
      expect(nums(results, 'batch', 'embeddingsDims')).toEqual([2, 256, 64, 64]);
      expect(nums(results, 'batch', 'positionalDims')).toEqual([2, 256, 64, 64]);
      expect(flag(results, 'batch', 'positionalSame')).toBe(true);
      expect(nums(results, 'batch', 'predMasksDims')).toEqual([2, 2, 3, 256, 256]);
      expect(nums(results, 'batch', 'iouDims')).toEqual([2, 2, 3]);
      for (const d of nums(results, 'batch', 'centreDice')) expect(d).toBeGreaterThan(SAME);
      for (const c of nums(results, 'batch', 'centreFarCoverage')) expect(c).toBeLessThan(NOT_COVERED);
      for (const c of nums(results, 'batch', 'backgroundTargetCoverage')) expect(c).toBeLessThan(NOT_COVERED);
      expect(num(results, 'batch', 'crossDice')).toBeLessThan(0.2);
    },
    TIMEOUT,
  );

  it(
    'a box in input_boxes (with a -10 padding point) gives the disc',
    async () => {
      const { results } = await reportOf('transformersjs');
      expect(num(results, 'box', 'dice')).toBeGreaterThan(SAME);
      expect(num(results, 'box', 'farCoverage')).toBeLessThan(NOT_COVERED);
    },
    TIMEOUT,
  );

  it(
    'an exclude point (label 0) shrinks the mask and removes its surroundings',
    async () => {
      const { results } = await reportOf('transformersjs');
      expect(num(results, 'exclude', 'areaMedium')).toBeLessThan(0.9 * num(results, 'exclude', 'areaWithoutMedium'));
      expect(flag(results, 'exclude', 'excludedPointIn')).toBe(false);
      expect(flag(results, 'exclude', 'centreIn')).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'padding points (-10, -1), an empty or degenerate box, and batching change nothing',
    async () => {
      const { results } = await reportOf('transformersjs');
      expect(num(results, 'padding', 'masksDiff')).toBeLessThanOrEqual(EQUAL);
      expect(num(results, 'padding', 'iouDiff')).toBeLessThanOrEqual(EQUAL);
      expect(num(results, 'padding', 'degenerateBoxDiff')).toBeLessThanOrEqual(EQUAL);
      expect(num(results, 'padding', 'batchRowDiff')).toBeLessThanOrEqual(EQUAL);
    },
    TIMEOUT,
  );
});
