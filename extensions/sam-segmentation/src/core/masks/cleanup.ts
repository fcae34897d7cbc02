/**
 * Optional clean-up of a binary mask, after the model: keep the components the prompt points at, drop
 * small islands, fill holes.
 *
 * Which components are kept ('prompted', the default):
 *  - every component holding an include point (the pixel nearest the point);
 *  - with a box, every component reaching into the box's central region (the middle half of its width
 *    and height: the structure a box is drawn around sits there, neighbours leaking in touch the margin);
 *    if none does, the component with the most pixels inside the box.
 * When nothing is anchored that way (an include point on background, say), no component is dropped for
 * the prompt's sake. Components smaller than `minComponentSize` are dropped unless anchored.
 */
import type { Prompt } from '../prompts/prompt';
import { orderedBox } from '../prompts/prompt';
import { fillHoles, labelComponents, type Connectivity } from './connectedComponents';

const { round, ceil, floor, min, max } = Math;

export interface CleanupOptions {
  /** Foreground connectivity (default 8). */
  connectivity?: Connectivity;
  /** 'prompted' keeps only the components the prompt anchors (see above); 'all' keeps every component. */
  keep?: 'prompted' | 'all';
  /** Components with fewer pixels are dropped unless a prompt anchors them (default 0: none). */
  minComponentSize?: number;
  /** Fill background regions not connected to the image border (default true). */
  fillHoles?: boolean;
}

/** Labels of the components the prompt anchors (see the module comment). */
function anchoredLabels(
  labels: Int32Array,
  count: number,
  width: number,
  height: number,
  prompt: Pick<Prompt, 'points' | 'box'>,
): Set<number> {
  const anchored = new Set<number>();
  const clampX = (x: number) => min(width - 1, max(0, x));
  const clampY = (y: number) => min(height - 1, max(0, y));
  for (const p of prompt.points) {
    if (p.label !== 'include') continue;
    const label = labels[clampY(round(p.y)) * width + clampX(round(p.x))]!;
    if (label) anchored.add(label);
  }
  if (!prompt.box) return anchored;

  const { x0, y0, x1, y1 } = orderedBox(prompt.box);
  const qx = (x1 - x0) / 4;
  const qy = (y1 - y0) / 4;
  let cx0 = clampX(ceil(x0 + qx));
  let cx1 = clampX(floor(x1 - qx));
  let cy0 = clampY(ceil(y0 + qy));
  let cy1 = clampY(floor(y1 - qy));
  if (cx0 > cx1) cx0 = cx1 = clampX(round((x0 + x1) / 2));
  if (cy0 > cy1) cy0 = cy1 = clampY(round((y0 + y1) / 2));
  let centralHit = false;
  for (let y = cy0; y <= cy1; y++) {
    for (let x = cx0; x <= cx1; x++) {
      const label = labels[y * width + x]!;
      if (label) {
        anchored.add(label);
        centralHit = true;
      }
    }
  }
  if (centralHit) return anchored;

  const insideBox = new Int32Array(count + 1);
  for (let y = clampY(ceil(y0)); y <= clampY(floor(y1)); y++) {
    for (let x = clampX(ceil(x0)); x <= clampX(floor(x1)); x++) insideBox[labels[y * width + x]!]!++;
  }
  let best = 0;
  let bestCount = 0; // label 0 (background) never wins
  for (let label = 1; label <= count; label++) {
    if (insideBox[label]! > bestCount) {
      best = label;
      bestCount = insideBox[label]!;
    }
  }
  if (best) anchored.add(best);
  return anchored;
}

export function cleanUpMask(
  mask: Uint8Array,
  width: number,
  height: number,
  prompt: Pick<Prompt, 'points' | 'box'>,
  options: CleanupOptions = {},
): Uint8Array {
  const { connectivity = 8, keep = 'prompted', minComponentSize = 0 } = options;
  const { labels, count, sizes } = labelComponents(mask, width, height, connectivity);
  const anchored = keep === 'prompted' ? anchoredLabels(labels, count, width, height, prompt) : new Set<number>();
  const kept = new Uint8Array(count + 1);
  for (let label = 1; label <= count; label++) {
    if (anchored.has(label)) kept[label] = 1;
    else if (anchored.size === 0 && sizes[label]! >= minComponentSize) kept[label] = 1;
  }
  const out = new Uint8Array(mask.length);
  for (let i = 0, n = mask.length; i < n; i++) out[i] = kept[labels[i]!]!;
  return options.fillHoles === false ? out : fillHoles(out, width, height, connectivity);
}
