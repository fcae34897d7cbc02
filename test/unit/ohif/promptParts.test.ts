import { fitPrompt, getFamily } from '../../../extensions/sam-segmentation/src/core';
import {
  annotationsToParts,
  isPromptAnnotation,
  type AnnotationLike,
} from '../../../extensions/sam-segmentation/src/ohif/prompts/promptParts';

// World coordinates equal image coordinates here: (x, y, 0) → [x, y].
const toImage = (world: number[]): [number, number] => [world[0]!, world[1]!];
let uid = 0;
const annotation = (toolName: string, ...points: number[][]): AnnotationLike => ({
  annotationUID: `a${++uid}`,
  metadata: { toolName, referencedImageId: 'img' },
  data: { handles: { points } },
});
/** The prompt the model gets for these annotations on a 100×100 image. */
const annotationsToPrompt = (annotations: AnnotationLike[], toImageCoords: typeof toImage) =>
  fitPrompt(annotationsToParts(annotations, toImageCoords), 100, 100, getFamily('sam')).prompt;

describe('annotations → SAM prompt', () => {
  it('reads include and exclude points and the SAM box, in image coordinates', () => {
    const prompt = annotationsToPrompt(
      [
        annotation('SamIncludePoint', [10, 20, 0]),
        annotation('SamExcludePoint', [30, 40, 0]),
        annotation('SamBox', [50, 60, 0], [5, 60, 0], [50, 6, 0], [5, 6, 0]),
      ],
      toImage,
    );
    expect(prompt).toEqual({
      points: [
        { x: 10, y: 20, label: 'include' },
        { x: 30, y: 40, label: 'exclude' },
      ],
      box: { x0: 5, y0: 6, x1: 50, y1: 60 },
    });
  });

  it('keeps the most recent box (SAM takes one)', () => {
    const prompt = annotationsToPrompt(
      [annotation('SamBox', [0, 0, 0], [10, 10, 0]), annotation('SamBox', [20, 20, 0], [30, 40, 0])],
      toImage,
    );
    expect(prompt?.box).toEqual({ x0: 20, y0: 20, x1: 30, y1: 40 });
  });

  it('turns measurements into prompts: rectangle and length as boxes, probe and arrow tip as points', () => {
    expect(annotationsToPrompt([annotation('Length', [40, 10, 0], [10, 30, 0])], toImage)?.box).toEqual({
      x0: 10,
      y0: 10,
      x1: 40,
      y1: 30,
    });
    expect(annotationsToPrompt([annotation('ArrowAnnotate', [7, 8, 0], [70, 80, 0])], toImage)?.points).toEqual([
      { x: 7, y: 8, label: 'include' },
    ]);
  });

  it('uses measurements only when asked; SAM tools always', () => {
    expect(isPromptAnnotation('RectangleROI', false)).toBe(false);
    expect(isPromptAnnotation('RectangleROI', true)).toBe(true);
    expect(isPromptAnnotation('SamIncludePoint', false)).toBe(true);
    expect(isPromptAnnotation('CobbAngle', true)).toBe(false);
  });

  it('gives no prompt without annotations', () => {
    expect(annotationsToPrompt([], toImage)).toBeUndefined();
  });

  it('names each part by the annotation it came from', () => {
    const point = annotation('SamIncludePoint', [10, 20, 0]);
    const box = annotation('SamBox', [1, 2, 0], [3, 4, 0]);
    expect(annotationsToParts([point, box], toImage).map((p) => p.source)).toEqual([
      point.annotationUID,
      box.annotationUID,
    ]);
  });
});
