/**
 * The host viewer's Cornerstone, reached at run time through the cornerstone extension's utility
 * module (never bundled: two Cornerstone copies would not share caches, metadata or viewports).
 * Typed here by the few members this extension uses.
 */
export interface CornerstoneImage {
  imageId: string;
  rows: number;
  columns: number;
  slope: number;
  intercept: number;
  color: boolean;
  numberOfComponents?: number;
  photometricInterpretation?: string;
  /** When the loader already applied the modality LUT, the pixel data holds modality values (HU). */
  preScale?: { scaled?: boolean };
  getPixelData(): ArrayLike<number> & {
    buffer: ArrayBufferLike;
    BYTES_PER_ELEMENT: number;
    slice(): ArrayLike<number>;
  };
}

export interface CornerstoneStackViewport {
  id: string;
  element: HTMLElement;
  getImageIds(): string[];
  getCurrentImageId(): string;
  getCurrentImageIdIndex(): number;
  worldToCanvas(world: number[]): [number, number];
  canvasToWorld(canvas: [number, number]): number[];
  getProperties(): { voiRange?: { lower: number; upper: number } };
}

export interface CornerstoneCore {
  imageLoader: { loadAndCacheImage(imageId: string): Promise<CornerstoneImage> };
  metaData: { get(type: string, imageId: string): Record<string, unknown> | undefined };
  Enums: { Events: Record<string, string> };
  eventTarget: EventTarget;
  utilities: {
    worldToImageCoords(imageId: string, world: number[]): [number, number];
    imageToWorldCoords(imageId: string, imagePoint: [number, number]): number[];
  };
}

export interface CornerstoneAnnotation {
  annotationUID: string;
  metadata: { toolName: string; referencedImageId?: string };
  data: { handles: { points: number[][] } };
}

export interface CornerstoneTools {
  Enums: { Events: Record<string, string> };
  annotation: {
    state: {
      getAllAnnotations(): CornerstoneAnnotation[];
      removeAnnotation(annotationUID: string): void;
    };
    config: { style: { setToolGroupToolStyles(toolGroupId: string, styles: Record<string, unknown>): void } };
  };
  utilities: { triggerAnnotationRenderForViewportIds(viewportIds: string[]): void };
  ToolGroupManager: {
    getToolGroupForViewport(viewportId: string): { getActivePrimaryMouseButtonTool(): string | undefined } | undefined;
  };
}

export interface ExtensionManagerLike {
  getModuleEntry(id: string): { exports?: unknown } | undefined;
}

const COMMON_UTILITY = '@ohif/extension-cornerstone.utilityModule.common';

function hostLibraries(extensionManager: ExtensionManagerLike) {
  const exports = extensionManager.getModuleEntry(COMMON_UTILITY)?.exports as
    | { getCornerstoneLibraries?: () => { cornerstone: CornerstoneCore; cornerstoneTools: CornerstoneTools } }
    | undefined;
  if (!exports?.getCornerstoneLibraries) {
    throw new Error(`The viewer has no ${COMMON_UTILITY}: the SAM extension needs OHIF's cornerstone extension.`);
  }
  return exports.getCornerstoneLibraries();
}

export function hostCornerstone(extensionManager: ExtensionManagerLike): CornerstoneCore {
  return hostLibraries(extensionManager).cornerstone;
}

export function hostCornerstoneTools(extensionManager: ExtensionManagerLike): CornerstoneTools {
  return hostLibraries(extensionManager).cornerstoneTools;
}
