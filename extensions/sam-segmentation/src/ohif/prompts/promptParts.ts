/**
 * Cornerstone annotations on one image → a SAM prompt in image pixel coordinates. Pure: the
 * world → image mapping is passed in. Besides the SAM tools, measurements can serve as prompts:
 * a RectangleROI or EllipticalROI as a box, a Length as its bounding box, a Probe or ArrowAnnotate
 * as an include point.
 */
import type { Prompt, PromptPoint } from '../../core';
import { SAM_TOOL_NAMES } from './samToolNames';

export interface AnnotationLike {
  annotationUID?: string;
  metadata: { toolName: string; referencedImageId?: string };
  data: { handles: { points: number[][] } };
}

export type WorldToImage = (world: number[]) => [number, number];

function boundingBox(points: Array<[number, number]>) {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/** How each tool's annotation becomes a prompt. */
const AS_PROMPT: Record<string, 'include' | 'exclude' | 'box'> = {
  [SAM_TOOL_NAMES.includePoint]: 'include',
  [SAM_TOOL_NAMES.excludePoint]: 'exclude',
  [SAM_TOOL_NAMES.box]: 'box',
  RectangleROI: 'box',
  EllipticalROI: 'box',
  Length: 'box',
  Probe: 'include',
  ArrowAnnotate: 'include',
};

export function isPromptAnnotation(toolName: string, includeMeasurements: boolean): boolean {
  const kind = AS_PROMPT[toolName];
  return kind !== undefined && (includeMeasurements || Object.values(SAM_TOOL_NAMES).includes(toolName as never));
}

/**
 * Builds the prompt for one image from its annotations. SAM takes one box: the most recent wins.
 * ArrowAnnotate's tip (its first handle) is the point.
 */
export function annotationsToPrompt(annotations: readonly AnnotationLike[], toImage: WorldToImage): Prompt | undefined {
  const points: PromptPoint[] = [];
  let box: Prompt['box'];
  for (const a of annotations) {
    const kind = AS_PROMPT[a.metadata.toolName];
    const handles = a.data.handles.points;
    if (!kind || handles.length === 0) continue;
    if (kind === 'box') {
      box = boundingBox(handles.map(toImage));
    } else {
      const [x, y] = toImage(handles[0]!);
      points.push({ x, y, label: kind });
    }
  }
  if (points.length === 0 && !box) return undefined;
  return { points, ...(box && { box }) };
}
