/**
 * The viewer around the extension, resolved once when the runtime starts: the host's Cornerstone
 * core and tools (through the cornerstone extension's utility module, never bundled) and the OHIF
 * services the extension uses. A viewer without them gets one message saying what is missing.
 */
import type {
  CommandsManagerLike,
  CornerstoneCore,
  CornerstoneTools,
  ExtensionManagerLike,
  ViewerHost,
  ViewerServices,
} from './hostTypes';

/** What OHIF hands the extension (services manager, extension manager, commands manager). */
export interface SamViewer {
  servicesManager: { services: Record<string, unknown> };
  extensionManager: ExtensionManagerLike;
  commandsManager: CommandsManagerLike;
}

const COMMON_UTILITY = '@ohif/extension-cornerstone.utilityModule.common';
const SERVICES: ReadonlyArray<keyof ViewerServices> = [
  'segmentationService',
  'displaySetService',
  'viewportGridService',
  'cornerstoneViewportService',
];

export function resolveViewerHost(viewer: SamViewer): ViewerHost {
  const exports = viewer.extensionManager.getModuleEntry(COMMON_UTILITY)?.exports as
    | { getCornerstoneLibraries?: () => { cornerstone: CornerstoneCore; cornerstoneTools: CornerstoneTools } }
    | undefined;
  if (!exports?.getCornerstoneLibraries) {
    throw new Error(`The viewer has no ${COMMON_UTILITY}: the SAM extension needs OHIF's cornerstone extension.`);
  }
  const services = viewer.servicesManager.services as Partial<ViewerServices>;
  const missing = SERVICES.filter((name) => !services[name]);
  if (missing.length > 0) {
    throw new Error(`The viewer has no ${missing.join(', ')}: the SAM extension needs OHIF's cornerstone extension.`);
  }
  const { cornerstone, cornerstoneTools } = exports.getCornerstoneLibraries();
  return {
    cornerstone,
    tools: cornerstoneTools,
    services: services as ViewerServices,
    commandsManager: viewer.commandsManager,
    extensionManager: viewer.extensionManager,
  };
}
