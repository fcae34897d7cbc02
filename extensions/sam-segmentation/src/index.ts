/**
 * The Segment Anything extension for OHIF: declares its modules, nothing else.
 */
import { id } from './id';
import { SamService, type SamSettings } from './ohif/SamService';
import { getPanelModule } from './ohif/getPanelModule';
import { getCommandsModule } from './ohif/getCommandsModule';
import type { OhifServicesManager } from './ohif/ohifTypes';

const samExtension = {
  id,
  /**
   * Settings come from the viewer's app-config: `window.config.sam = { embeddingCacheMiB: 768 }`
   * (OHIF cannot pass configuration to an extension loaded by URL).
   */
  preRegistration({
    servicesManager,
    appConfig,
  }: {
    servicesManager: OhifServicesManager;
    appConfig?: { sam?: SamSettings };
  }) {
    servicesManager.registerService(SamService.REGISTRATION, appConfig?.sam ?? {});
  },
  getPanelModule,
  getCommandsModule,
};

export default samExtension;
export { id };
