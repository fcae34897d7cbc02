/**
 * The plain baseline the default model is compared with (no model at all): on the 8-bit display image,
 * take the median intensity of a small window at the prompt's centre (the box centre, or the first
 * include point), keep the pixels within ± k of it (inside the box when there is one), keep the
 * connected component at the centre, fill its holes. Scored under the evaluation's own prompts and
 * seeds (run/evaluateImage.ts `objectPrompt`); it has one mask per prompt, so no candidates to choose.
 */
import {
  dice,
  fillHoles,
  labelComponents,
  orderedBox,
  toDisplayImage,
  type Prompt,
  type PromptModeId,
  type SlicePixels,
  type VoiSetting,
} from '../../extensions/sam-segmentation/src/core';
import { objectPrompt } from './run/evaluateImage';
import type { EvalImage } from './sources/types';

export interface ThresholdBaselineOptions {
  /** Half-width of the intensity band around the median, in 8-bit grey levels. */
  k: number;
  /** Half-size of the square window whose median is taken (radius 2: 5 x 5 pixels). */
  radius: number;
}

/** k = 40 grey levels: the setting that gives the mean box Dice of about 0.77 quoted in the issue. */
export const THRESHOLD_BASELINE_DEFAULTS: ThresholdBaselineOptions = { k: 40, radius: 2 };

/** Grey levels of the slice at the window (colour: the mean of R, G, B). */
export function greyImage(slice: SlicePixels, voi: VoiSetting): Uint8Array {
  const { image } = toDisplayImage(slice, voi);
  if (image.channels === 1) return image.data;
  const grey = new Uint8Array(image.width * image.height);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = Math.round((image.data[3 * i]! + image.data[3 * i + 1]! + image.data[3 * i + 2]!) / 3);
  }
  return grey;
}

export function thresholdBaseline(
  grey: Uint8Array,
  width: number,
  height: number,
  prompt: Prompt,
  options: ThresholdBaselineOptions = THRESHOLD_BASELINE_DEFAULTS,
): Uint8Array {
  const clampX = (x: number) => Math.min(width - 1, Math.max(0, Math.round(x)));
  const clampY = (y: number) => Math.min(height - 1, Math.max(0, Math.round(y)));
  let x0 = 0;
  let y0 = 0;
  let x1 = width - 1;
  let y1 = height - 1;
  let cx: number;
  let cy: number;
  if (prompt.box) {
    const box = orderedBox(prompt.box);
    [x0, y0, x1, y1] = [clampX(box.x0), clampY(box.y0), clampX(box.x1), clampY(box.y1)];
    cx = clampX((box.x0 + box.x1) / 2);
    cy = clampY((box.y0 + box.y1) / 2);
  } else {
    const point = prompt.points.find((p) => p.label === 'include');
    if (!point) throw new Error('The threshold baseline needs a box or an include point.');
    cx = clampX(point.x);
    cy = clampY(point.y);
  }
  const window: number[] = [];
  for (let y = clampY(cy - options.radius); y <= clampY(cy + options.radius); y++) {
    for (let x = clampX(cx - options.radius); x <= clampX(cx + options.radius); x++) window.push(grey[y * width + x]!);
  }
  window.sort((a, b) => a - b);
  const median = window[window.length >> 1]!;
  const band = new Uint8Array(width * height);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * width + x;
      band[i] = Math.abs(grey[i]! - median) <= options.k ? 1 : 0;
    }
  }
  const { labels } = labelComponents(band, width, height, 8);
  const centre = labels[cy * width + cx]!;
  const out = new Uint8Array(width * height);
  if (centre === 0) return out;
  for (let i = 0; i < out.length; i++) out[i] = labels[i] === centre ? 1 : 0;
  return fillHoles(out, width, height, 8);
}

export interface BaselineScore {
  dataset: string;
  mode: PromptModeId;
  dice: number;
}

/** The baseline's Dice for every object and mode, under the prompts the evaluation gives at `seed`. */
export function scoreThresholdBaseline(
  images: readonly EvalImage[],
  modes: readonly PromptModeId[],
  seed: number,
  options: ThresholdBaselineOptions = THRESHOLD_BASELINE_DEFAULTS,
): BaselineScore[] {
  const scores: BaselineScore[] = [];
  for (const image of images) {
    const { columns: width, rows: height } = image.slice;
    const grey = greyImage(image.slice, image.voi);
    image.objects.forEach((object, index) => {
      for (const mode of modes) {
        const mask = thresholdBaseline(grey, width, height, objectPrompt(image, index, mode, seed), options);
        scores.push({ dataset: image.dataset, mode, dice: dice(mask, object.mask) });
      }
    });
  }
  return scores;
}
