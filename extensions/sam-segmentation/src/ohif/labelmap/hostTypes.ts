/**
 * The host viewer's objects the labelmap code uses, typed by the members it calls (OHIF 3.13.2,
 * Cornerstone core/tools 5.6.8, read from the prebuilt viewer). Like cornerstoneHost.ts, nothing of
 * Cornerstone or OHIF is bundled: everything comes from the running viewer.
 */

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

export interface LabelmapCore {
  cache: { getImage(imageId: string): CachedImage | undefined };
  imageLoader: { loadAndCacheImage(imageId: string): Promise<unknown> };
  utilities: {
    uuidv4(): string;
    HistoryMemo: { DefaultHistoryMemo: HistoryMemo };
  };
}

export interface LabelmapTools {
  Enums: { SegmentationRepresentations: { Labelmap: string } };
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
  setActiveSegmentation(viewportId: string, segmentationId: string): void;
  EVENTS: { SEGMENTATION_MODIFIED: string };
  subscribe(event: string, callback: (e: { segmentationId?: string }) => void): { unsubscribe(): void };
}

export interface LabelmapServices {
  segmentationService: SegmentationService;
  displaySetService: {
    getDisplaySetByUID(displaySetInstanceUID: string): DisplaySet | undefined;
    getActiveDisplaySets(): DisplaySet[];
  };
  viewportGridService: {
    getActiveViewportId(): string | undefined;
    getState(): { viewports: Map<string, { displaySetInstanceUIDs?: string[] }> };
  };
}

export interface CommandsManagerLike {
  runCommand(commandName: string, options?: Record<string, unknown>, contextName?: string): unknown;
  getCommand?(commandName: string, contextName?: string): unknown;
}

/** Everything the labelmap code needs from the viewer. */
export interface LabelmapHost {
  cornerstone: LabelmapCore;
  tools: LabelmapTools;
  services: LabelmapServices;
  commandsManager: CommandsManagerLike;
}

const COMMON_UTILITY = '@ohif/extension-cornerstone.utilityModule.common';

/** The host's Cornerstone core and tools, through the cornerstone extension's utility module. */
export function labelmapHost(viewer: {
  servicesManager: { services: Record<string, unknown> };
  extensionManager: { getModuleEntry(id: string): { exports?: unknown } | undefined };
  commandsManager: CommandsManagerLike;
}): LabelmapHost {
  const exports = viewer.extensionManager.getModuleEntry(COMMON_UTILITY)?.exports as
    { getCornerstoneLibraries?: () => { cornerstone: LabelmapCore; cornerstoneTools: LabelmapTools } } | undefined;
  if (!exports?.getCornerstoneLibraries) {
    throw new Error(`The viewer has no ${COMMON_UTILITY}: the SAM extension needs OHIF's cornerstone extension.`);
  }
  const { cornerstone, cornerstoneTools } = exports.getCornerstoneLibraries();
  const services = viewer.servicesManager.services as Partial<LabelmapServices>;
  if (!services.segmentationService || !services.displaySetService || !services.viewportGridService) {
    throw new Error("The viewer has no segmentation service: accepting masks needs OHIF's cornerstone extension.");
  }
  return {
    cornerstone,
    tools: cornerstoneTools,
    services: services as LabelmapServices,
    commandsManager: viewer.commandsManager,
  };
}
