/**
 * The study protocol's randomness experiment ("Segment Anything Model for Medical Images?", Huang et al.
 * 2024): prompts are perturbed by a random offset in a band of 0-10, 10-20 or 20-30 pixels ("moves the
 * centre point and enlarges/moves the box edges") and the Dice drop is reported per band. The paper
 * gives no exact rule; ours, reproducible from a seed:
 *
 *  - Points: each point moves by a length uniform in [min, max) in a direction uniform in [0, 2π), so the
 *    displacement lies in the band; then it is clamped to the pixel centres of the image (0 … W - 1,
 *    0 … H - 1), which can shorten the displacement of a point near the edge. Coordinates stay
 *    fractional (the prompt encoder takes sub-pixel points; rounding would move them out of the band).
 *  - Box: each of the four edges moves independently by a distance uniform in [min, max), outward or
 *    inward with probability 1/2 each (so the box is enlarged, shrunk or shifted); the corners are
 *    re-ordered (x0 ≤ x1, y0 ≤ y1) should inward moves cross, then clamped to 0 … W - 1, 0 … H - 1. In the
 *    core's inclusive convention a box with x0 ≤ x1 spans x1 - x0 + 1 ≥ 1 pixel, so it never collapses.
 *  - Labels and the previous mask are kept as they are.
 *
 * Points and box draw from two separate streams of `seededRandom(seed)`, so for one seed the box moves the
 * same way with or without points (S5 and S6 are perturbed alike) and the first point the same way with
 * or without a box (S2, S3's centroid and S6's point alike).
 */
import { orderedBox, type Prompt, type PromptBox, type PromptPoint } from '../prompts/prompt';
import { seededRandom } from './random';

const { PI, cos, sin, min: mathMin, max: mathMax } = Math;

/** A displacement band in pixels: lengths in [min, max). */
export interface PerturbBand {
  min: number;
  max: number;
}

/** Refuses a band that is not 0 ≤ min < max (finite). */
export function checkPerturbBand(band: PerturbBand): void {
  const { min, max } = band;
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new Error(`A perturbation band needs finite pixel distances, got ${min}-${max}.`);
  }
  if (min < 0) throw new Error(`Perturbation band ${min}-${max}: distances are non-negative pixels.`);
  if (!(min < max)) throw new Error(`Perturbation band ${min}-${max}: the minimum must be below the maximum.`);
}

/** "0-10" for { min: 0, max: 10 }, the form `parsePerturbBands` reads. */
export function formatPerturbBand(band: PerturbBand): string {
  return `${band.min}-${band.max}`;
}

const BAND = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/;

/** Parses "0-10,10-20,20-30" (pixels, MIN-MAX separated by commas; spaces allowed). */
export function parsePerturbBands(text: string): PerturbBand[] {
  const usage = 'write MIN-MAX pixel bands separated by commas, e.g. 0-10,10-20,20-30';
  if (text.trim() === '') throw new Error(`No perturbation bands given: ${usage}.`);
  return text.split(',').map((part) => {
    const item = part.replace(/\s+/g, '');
    if (item === '') throw new Error(`Empty perturbation band in "${text}": ${usage}.`);
    if (item.startsWith('-')) throw new Error(`Perturbation band "${item}": distances are non-negative pixels.`);
    const m = BAND.exec(item);
    if (!m) throw new Error(`Perturbation band "${item}" is not MIN-MAX in pixels: ${usage}.`);
    const band = { min: Number(m[1]), max: Number(m[2]) };
    if (!(band.min < band.max)) {
      throw new Error(
        `Perturbation band "${item}": the minimum (${band.min}) must be below the maximum (${band.max}).`,
      );
    }
    return band;
  });
}

// A second stream for the box (see the file header); any constant that differs from 0 will do.
const BOX_STREAM = 0x2545f491;

/** The prompt with its points and box perturbed in `band` (see the file header), for a `width` x `height` image. */
export function perturbPrompt(prompt: Prompt, band: PerturbBand, width: number, height: number, seed: number): Prompt {
  checkPerturbBand(band);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`An image needs positive integer width and height, got ${width} x ${height}.`);
  }
  if (!Number.isInteger(seed)) throw new Error(`The perturbation seed must be an integer, got ${seed}.`);
  const span = band.max - band.min;
  const clampX = (x: number) => mathMin(width - 1, mathMax(0, x));
  const clampY = (y: number) => mathMin(height - 1, mathMax(0, y));

  const pointRandom = seededRandom(seed);
  const points = prompt.points.map((p): PromptPoint => {
    const angle = 2 * PI * pointRandom();
    const length = band.min + span * pointRandom();
    return { x: clampX(p.x + length * cos(angle)), y: clampY(p.y + length * sin(angle)), label: p.label };
  });

  const result: Prompt = { ...prompt, points };
  if (prompt.box) {
    const boxRandom = seededRandom((seed ^ BOX_STREAM) >>> 0);
    // Positive = outward: x0 and y0 move by -d, x1 and y1 by +d.
    const move = () => {
      const distance = band.min + span * boxRandom();
      return boxRandom() < 0.5 ? distance : -distance;
    };
    const { x0, y0, x1, y1 } = orderedBox(prompt.box); // a box dragged up-left is the same box
    const moved = { x0: x0 - move(), y0: y0 - move(), x1: x1 + move(), y1: y1 + move() };
    const box: PromptBox = {
      x0: clampX(mathMin(moved.x0, moved.x1)),
      y0: clampY(mathMin(moved.y0, moved.y1)),
      x1: clampX(mathMax(moved.x0, moved.x1)),
      y1: clampY(mathMax(moved.y0, moved.y1)),
    };
    result.box = box;
  }
  return result;
}
