/**
 * Cornerstone annotations on one image → the parts of a SAM prompt in image pixel coordinates, each
 * with the annotation it came from (core/prompts/fitPrompt.ts then makes the prompt). Pure: the
 * world → image mapping is passed in. Besides the SAM tools, measurements can serve as prompts:
 * a RectangleROI or EllipticalROI as a box, a Length as its bounding box, a Probe or ArrowAnnotate
 * as an include point.
 */
import type { PromptPart } from '../../core';
import { SAM_TOOL_NAMES, SAM_TOOL_NAME_LIST } from './samToolNames';

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

/** Whether the annotation is one of the SAM tools' (the user's measurements are never removed by SAM). */
export function isSamToolAnnotation(toolName: string): boolean {
  return SAM_TOOL_NAME_LIST.includes(toolName);
}

export function isPromptAnnotation(toolName: string, includeMeasurements: boolean): boolean {
  return AS_PROMPT[toolName] !== undefined && (includeMeasurements || isSamToolAnnotation(toolName));
}

/** The prompt parts of one image's annotations, in their order; ArrowAnnotate's tip (its first handle) is the point. */
export function annotationsToParts(
  annotations: readonly AnnotationLike[],
  toImage: WorldToImage,
): PromptPart<string>[] {
  const parts: PromptPart<string>[] = [];
  for (const a of annotations) {
    const kind = AS_PROMPT[a.metadata.toolName];
    const handles = a.data.handles.points;
    if (!kind || handles.length === 0) continue;
    const source = a.annotationUID ?? '';
    if (kind === 'box') {
      parts.push({ source, box: boundingBox(handles.map(toImage)) });
    } else {
      const [x, y] = toImage(handles[0]!);
      parts.push({ source, point: { x, y, label: kind } });
    }
  }
  return parts;
}
