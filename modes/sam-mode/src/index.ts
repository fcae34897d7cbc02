/**
 * The Segment Anything mode: OHIF's viewer layout with the study browser on the left, the SAM
 * panel and OHIF's segmentation panel on the right, stack viewports for images and DICOM SEG.
 */
import { id } from './id';
import { PRIMARY_SECTION, toolbarButtons } from './toolbarButtons';
import { TOOL_GROUP_IDS, samToolGroupTools, type CornerstoneToolsUtility } from './initToolGroups';
import { cornerstone, ohif, sam, segmentation, SAM_EXTENSION_ID } from './moduleIds';
import type { ModeEnterArgs } from './ohifTypes';

/** Modalities SAM cannot segment on their own (no pixels to prompt on). */
const NON_IMAGE_MODALITIES = new Set(['SEG', 'SR', 'RTSTRUCT', 'RTPLAN', 'RTDOSE', 'PR', 'KO', 'DOC']);

export function isValidMode({ modalities }: { modalities: string }) {
  const list = modalities.split('\\').filter(Boolean);
  const imaging = list.filter((m) => !NON_IMAGE_MODALITIES.has(m));
  return imaging.length > 0
    ? { valid: true, description: 'Interactive segmentation with Segment Anything' }
    : { valid: false, description: 'The study has no images to segment' };
}

function modeFactory() {
  return {
    id,
    routeName: 'sam',
    displayName: 'Segment Anything',
    isValidMode,

    onModeEnter({ servicesManager, extensionManager, commandsManager }: ModeEnterArgs) {
      const { toolbarService, toolGroupService, uiNotificationService } = servicesManager.services;
      if (!extensionManager.registeredExtensionIds.includes(SAM_EXTENSION_ID)) {
        uiNotificationService.show({
          title: 'Segment Anything',
          message: `The SAM extension is not loaded: add its bundle URL to window.config.extensions.`,
          type: 'error',
        });
        return;
      }
      const tools = extensionManager.getModuleEntry(cornerstone.toolsUtility).exports as CornerstoneToolsUtility;
      for (const toolGroupId of TOOL_GROUP_IDS) {
        toolGroupService.createToolGroupAndAddTools(toolGroupId, samToolGroupTools(tools));
      }
      toolbarService.register(toolbarButtons);
      toolbarService.updateSection(toolbarService.sections.primary, PRIMARY_SECTION);
      void commandsManager.runCommand('startSamRuntime');
    },

    onModeExit({ servicesManager, commandsManager }: ModeEnterArgs) {
      const { toolGroupService, segmentationService, cornerstoneViewportService } = servicesManager.services;
      commandsManager.runCommand('stopSamRuntime');
      toolGroupService.destroy();
      segmentationService.destroy();
      cornerstoneViewportService.destroy();
    },

    routes: [
      {
        path: 'sam',
        layoutTemplate: () => ({
          id: ohif.layout,
          props: {
            leftPanels: [ohif.seriesList],
            rightPanels: [sam.panel, segmentation.panel],
            viewports: [
              { namespace: ohif.cornerstoneViewport, displaySetsToDisplay: [ohif.stackSopClassHandler] },
              { namespace: segmentation.viewport, displaySetsToDisplay: [segmentation.sopClassHandler] },
            ],
          },
        }),
      },
    ],
    // Extensions this mode needs beyond the viewer's defaults. The SAM extension is not listed:
    // OHIF would try to import a bare package id; it comes from window.config.extensions instead.
    extensions: {
      '@ohif/extension-default': '^3.0.0',
      '@ohif/extension-cornerstone': '^3.0.0',
      '@ohif/extension-cornerstone-dicom-seg': '^3.0.0',
    },
    sopClassHandlers: [ohif.stackSopClassHandler, segmentation.sopClassHandler],
    hangingProtocol: 'default',
  };
}

const samMode = { id, modeFactory, extensionDependencies: { [SAM_EXTENSION_ID]: '^0.1.0' } };
export default samMode;
