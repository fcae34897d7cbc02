/** Fully qualified ids of the OHIF modules the SAM mode assembles (checked against OHIF 3.13.2). */
import samExtensionPackage from '@ohif-sam/extension-sam-segmentation/package.json';

/** The SAM extension's id is its package name (see the extension's id.ts). */
export const SAM_EXTENSION_ID: string = samExtensionPackage.name;

export const ohif = {
  layout: '@ohif/extension-default.layoutTemplateModule.viewerLayout',
  seriesList: '@ohif/extension-default.panelModule.seriesList',
  stackSopClassHandler: '@ohif/extension-default.sopClassHandlerModule.stack',
  cornerstoneViewport: '@ohif/extension-cornerstone.viewportModule.cornerstone',
} as const;

export const cornerstone = {
  toolsUtility: '@ohif/extension-cornerstone.utilityModule.tools',
} as const;

export const segmentation = {
  panel: '@ohif/extension-cornerstone.panelModule.panelSegmentation',
  sopClassHandler: '@ohif/extension-cornerstone-dicom-seg.sopClassHandlerModule.dicom-seg',
  viewport: '@ohif/extension-cornerstone-dicom-seg.viewportModule.dicom-seg',
} as const;

export const sam = {
  panel: `${SAM_EXTENSION_ID}.panelModule.samPanel`,
} as const;
