/**
 * The parts a user drew (points, boxes, each from its own annotation) → the prompt a model can take
 * on one image, and the parts it cannot take, each with the reason to show. The viewer removes the
 * refused parts from the image, so a bad point never stays there failing every later prompt:
 * - a point outside the image is refused; so is any point for a family that takes boxes only;
 * - a box reaching past the edge is clipped to the image; one wholly outside it, or one with no area
 *   (a click with the box tool), is refused;
 * - the model takes one box: an older box is `replaced` (removed without a message).
 * Pixel c spans c - 0.5 … c + 0.5, so the image spans -0.5 … W - 0.5 (as checkPrompt).
 */
import type { ModelFamily } from '../families';
import { orderedBox, type Prompt, type PromptBox, type PromptPoint } from './prompt';

export type PromptPart<S> = { source: S } & ({ point: PromptPoint; box?: never } | { box: PromptBox; point?: never });

export interface FittedPrompt<S> {
  /** What the model gets: undefined when nothing is left, or nothing it can segment from (exclude points only). */
  prompt: Prompt | undefined;
  /** The sources the prompt is made of. */
  used: S[];
  /** Parts the model cannot take, with the reason in words. */
  refused: Array<{ source: S; reason: string }>;
  /** Older boxes a newer one replaced. */
  replaced: S[];
  /** Why the remaining parts give no prompt (e.g. exclude points only), when they do not. */
  incomplete?: string;
}

const format = (v: number) => String(Math.round(v * 10) / 10);

/** Parts in the order they were drawn; the last box counts. */
export function fitPrompt<S>(
  parts: ReadonlyArray<PromptPart<S>>,
  imageWidth: number,
  imageHeight: number,
  family: Pick<ModelFamily, 'label' | 'prompt'>,
): FittedPrompt<S> {
  const xMax = imageWidth - 0.5;
  const yMax = imageHeight - 0.5;
  const size = `${imageWidth}×${imageHeight}`;
  const refused: FittedPrompt<S>['refused'] = [];
  const replaced: S[] = [];
  const used: S[] = [];
  const points: PromptPoint[] = [];
  let box: { source: S; box: PromptBox } | undefined;

  for (const part of parts) {
    if (part.point) {
      const { x, y } = part.point;
      if (!family.prompt.acceptsPoints) {
        refused.push({
          source: part.source,
          reason: `${family.label} takes boxes only: draw a box around the structure.`,
        });
      } else if (!(x >= -0.5 && x <= xMax && y >= -0.5 && y <= yMax)) {
        refused.push({
          source: part.source,
          reason: `The point at (${format(x)}, ${format(y)}) is outside the ${size} image: click on the image.`,
        });
      } else {
        points.push(part.point);
        used.push(part.source);
      }
      continue;
    }
    const b = orderedBox(part.box!);
    if (!(b.x0 < b.x1 && b.y0 < b.y1)) {
      refused.push({ source: part.source, reason: 'A box needs an area: drag from one corner to the opposite one.' });
      continue;
    }
    const clipped = {
      x0: Math.max(b.x0, -0.5),
      y0: Math.max(b.y0, -0.5),
      x1: Math.min(b.x1, xMax),
      y1: Math.min(b.y1, yMax),
    };
    if (!(clipped.x0 < clipped.x1 && clipped.y0 < clipped.y1)) {
      refused.push({ source: part.source, reason: `The box lies outside the ${size} image: draw it on the image.` });
      continue;
    }
    if (box) replaced.push(box.source);
    box = { source: part.source, box: clipped };
  }
  if (box) used.push(box.source);

  const fitted = { used, refused, replaced };
  if (!box && points.length === 0) return { ...fitted, prompt: undefined };
  const prompt: Prompt = { points, ...(box && { box: box.box }) };
  if (!box && !points.some((p) => p.label === 'include')) {
    return {
      ...fitted,
      prompt: undefined,
      incomplete: 'Add an include point or a box: exclude points alone segment nothing.',
    };
  }
  return { ...fitted, prompt };
}

/** Whether two prompts are the same to the decoder (same points in order, same box), within 1e-3 px. */
export function samePrompt(a: Prompt | undefined, b: Prompt | undefined): boolean {
  if (!a || !b) return a === b;
  const near = (x: number, y: number) => Math.abs(x - y) < 1e-3;
  if (a.points.length !== b.points.length || !a.box !== !b.box) return false;
  if (
    a.box &&
    b.box &&
    !(near(a.box.x0, b.box.x0) && near(a.box.y0, b.box.y0) && near(a.box.x1, b.box.x1) && near(a.box.y1, b.box.y1))
  )
    return false;
  return a.points.every(
    (p, i) => p.label === b.points[i]!.label && near(p.x, b.points[i]!.x) && near(p.y, b.points[i]!.y),
  );
}

/**
 * Whether `next` refines `previous` (the prompt of the mask on screen): the same box, and every point
 * of `previous` still there with new ones added. Then the mask on screen is fed back as the decoder's
 * mask input, as in SAM's interactive use; a moved or removed point, or another box, starts afresh.
 */
export function refinesPrompt(previous: Prompt, next: Prompt): boolean {
  if (next.points.length <= previous.points.length) return false;
  if (
    !samePrompt(
      { points: [], ...(previous.box && { box: previous.box }) },
      { points: [], ...(next.box && { box: next.box }) },
    )
  )
    return false;
  const remaining = [...next.points];
  return previous.points.every((p) => {
    const i = remaining.findIndex((q) => samePrompt({ points: [p] }, { points: [q] }));
    return i >= 0 && remaining.splice(i, 1).length === 1;
  });
}
