import { SamPanel } from './panel/SamPanel';
import { hostComponent } from './panel/mountInHost';
import type { OhifModuleArgs } from './ohifTypes';

export const SAM_PANEL_NAME = 'samPanel';

export function getPanelModule({ servicesManager }: OhifModuleArgs) {
  const { samService } = servicesManager.services;
  return [
    {
      name: SAM_PANEL_NAME,
      iconName: 'tab-segmentation',
      iconLabel: 'SAM',
      label: 'Segment Anything',
      component: hostComponent(SamPanel, { samService }, 'sam-panel-host'),
    },
  ];
}
