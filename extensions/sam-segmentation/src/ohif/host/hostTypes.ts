/**
 * The host viewer's objects this extension uses, typed once by the members it calls (OHIF 3.13.2,
 * Cornerstone core/tools 5.6.8, read from the prebuilt viewer). Nothing of Cornerstone or OHIF is
 * bundled: two Cornerstone copies would not share caches, metadata or viewports, so everything comes
 * from the running viewer (see ViewerHost.ts).
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

/**
 * A viewport showing images as acquired: a stack viewport, or a volume viewport in the acquisition
 * plane (Cornerstone then names the image on screen).
 */
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

/** A labelmap image's (or any image's) voxel access: Cornerstone's VoxelManager, 2D for a stack image. */
export interface VoxelAccess {
  getAtIndex(index: number): number;
  setAtIndex(index: number, value: number): boolean | void;
}

export interface CachedImage {
  imageId: string;
  rows: number;
  columns: number;
  /** Set on derived (labelmap) images: the source image they label. */
  referencedImageId?: string;
  voxelManager: VoxelAccess;
  getPixelData(): ArrayLike<number>;
}

/** Cornerstone's history memo (`utilities.HistoryMemo`): what OHIF's undo / redo buttons replay. */
export interface Memo {
  id?: string;
  operationType?: string;
  restoreMemo(undo?: boolean): void;
}

export interface HistoryMemo {
  readonly canUndo: boolean;
  push(memo: Memo): Memo | undefined;
  undo(items?: number): void;
  undoIf(condition: (item: Memo | Memo[]) => boolean): boolean;
}

export interface CornerstoneCore {
  imageLoader: { loadAndCacheImage(imageId: string): Promise<CornerstoneImage> };
  metaData: { get(type: string, imageId: string): Record<string, unknown> | undefined };
  cache: { getImage(imageId: string): CachedImage | undefined };
  Enums: { Events: Record<string, string> };
  eventTarget: EventTarget;
  utilities: {
    worldToImageCoords(imageId: string, world: number[]): [number, number];
    imageToWorldCoords(imageId: string, imagePoint: [number, number]): number[];
    uuidv4(): string;
    HistoryMemo: { DefaultHistoryMemo: HistoryMemo };
  };
}

export interface CornerstoneAnnotation {
  annotationUID: string;
  metadata: { toolName: string; referencedImageId?: string };
  data: { handles: { points: number[][] } };
}

/** A tool instance of a tool group; the SAM point tools are named instances of Cornerstone's ProbeTool. */
export interface ToolInstance {
  constructor: {
    /** Cornerstone's way to add an annotation of this tool from code (AnnotationTool.hydrate). */
    hydrate?(viewportId: string, points: number[][], options: { toolInstance: ToolInstance }): void;
  };
}

export interface ToolGroup {
  getActivePrimaryMouseButtonTool(): string | undefined;
  getToolInstance(toolName: string): ToolInstance | undefined;
}

export interface CornerstoneTools {
  Enums: { Events: Record<string, string>; SegmentationRepresentations: { Labelmap: string } };
  annotation: {
    state: {
      getAllAnnotations(): CornerstoneAnnotation[];
      removeAnnotation(annotationUID: string): void;
    };
    config: { style: { setToolGroupToolStyles(toolGroupId: string, styles: Record<string, unknown>): void } };
  };
  utilities: { triggerAnnotationRenderForViewportIds(viewportIds: string[]): void };
  ToolGroupManager: { getToolGroupForViewport(viewportId: string): ToolGroup | undefined };
  segmentation: {
    /** The labelmap image(s) of a segmentation that label a source image (one per labelmap layer). */
    getLabelmapImageIdsForImageId(imageId: string, segmentationId: string): string[] | undefined;
    updateSegmentations(updates: Array<{ segmentationId: string; payload: Partial<Segmentation> }>): void;
    triggerSegmentationEvents: {
      triggerSegmentationDataModified(segmentationId: string, modifiedSlices?: number[], segmentIndex?: number): void;
    };
  };
}

/** A segment as Cornerstone keeps it; OHIF's SEG export reads `algorithmType` and `algorithmName`. */
export interface Segment {
  segmentIndex: number;
  label: string;
  locked: boolean;
  active: boolean;
  cachedStats?: Record<string, unknown>;
  algorithmType?: string;
  algorithmName?: string;
}

/** One labelmap layer (Cornerstone 5 splits overlapping segments over several). */
export interface LabelmapLayer {
  labelmapId?: string;
  imageIds?: string[];
  referencedImageIds?: string[];
  volumeId?: string;
  /** Voxel value → segment index, where they differ. */
  labelToSegmentIndex?: Record<string, number>;
}

export interface LabelmapData {
  imageIds?: string[];
  referencedImageIds?: string[];
  labelmaps?: Record<string, LabelmapLayer>;
  primaryLabelmapId?: string;
  /** Which layer and which voxel value hold a segment (absent: the primary layer, value = segment index). */
  segmentBindings?: Record<string, { labelmapId: string; labelValue: number }>;
}

export interface Segmentation {
  segmentationId: string;
  label: string;
  segments: Record<string, Segment | undefined>;
  representationData: { Labelmap?: LabelmapData };
}

export interface DisplaySet {
  displaySetInstanceUID: string;
  imageIds?: string[];
  SeriesInstanceUID?: string;
}

export interface SegmentationService {
  createLabelmapForDisplaySet(
    displaySet: DisplaySet,
    options: { label: string; segments: Record<number, Partial<Segment>> },
  ): Promise<string>;
  addSegmentationRepresentation(viewportId: string, options: { segmentationId: string; type: string }): Promise<void>;
  getSegmentationRepresentations(viewportId: string, specifier: { segmentationId: string }): unknown[];
  getSegmentation(segmentationId: string): Segmentation | undefined;
  getNextAvailableSegmentIndex(segmentationId: string): number;
  addSegment(segmentationId: string, config: Partial<Segment>): void;
  setActiveSegment(segmentationId: string, segmentIndex: number): void;
  setSegmentLabel(segmentationId: string, segmentIndex: number, label: string): void;
  setActiveSegmentation(viewportId: string, segmentationId: string): void;
  /** The segment's colour on a viewport, [r, g, b, a] 0-255 (Cornerstone's colour LUT). */
  getSegmentColor?(viewportId: string, segmentationId: string, segmentIndex: number): number[] | undefined;
  setSegmentColor?(viewportId: string, segmentationId: string, segmentIndex: number, color: number[]): void;
  EVENTS: {
    SEGMENTATION_MODIFIED: string;
    SEGMENTATION_ADDED?: string;
    SEGMENTATION_REMOVED?: string;
    SEGMENTATION_REPRESENTATION_MODIFIED?: string;
  };
  subscribe(event: string, callback: (e: { segmentationId?: string }) => void): { unsubscribe(): void };
}

interface Subscribable<E extends string> {
  EVENTS: Record<E, string>;
  subscribe(event: string, callback: (e: { viewportId: string }) => void): { unsubscribe(): void };
}

export interface ViewerServices {
  segmentationService: SegmentationService;
  displaySetService: {
    getDisplaySetByUID(displaySetInstanceUID: string): DisplaySet | undefined;
    getActiveDisplaySets(): DisplaySet[];
  };
  viewportGridService: Subscribable<'ACTIVE_VIEWPORT_ID_CHANGED'> & {
    getActiveViewportId(): string | undefined;
    getState(): { viewports: Map<string, { displaySetInstanceUIDs?: string[] }> };
  };
  cornerstoneViewportService: Subscribable<'VIEWPORT_DATA_CHANGED'> & {
    getCornerstoneViewport(viewportId: string): unknown;
  };
}

export interface CommandsManagerLike {
  runCommand(commandName: string, options?: Record<string, unknown>, contextName?: string): unknown;
  getCommand?(commandName: string, contextName?: string): unknown;
}

/** A data source definition of the app-config (`dataSources[]`). */
export interface DataSourceDefinition {
  sourceName: string;
  namespace: string;
  configuration?: { wadoRoot?: string; [key: string]: unknown };
}

export interface ExtensionManagerLike {
  getModuleEntry(id: string): { exports?: unknown } | undefined;
  getActiveDataSourceDefinition?(): DataSourceDefinition | undefined;
  getDataSources?(name?: string): Array<{ store?: { dicom?: unknown } } | undefined> | undefined;
}

/** Everything the extension uses of the viewer, resolved once (ViewerHost.ts). */
export interface ViewerHost {
  cornerstone: CornerstoneCore;
  tools: CornerstoneTools;
  services: ViewerServices;
  commandsManager: CommandsManagerLike;
  /** Where the study comes from and where a SEG can be stored (OHIF's data sources). */
  extensionManager?: ExtensionManagerLike;
}
