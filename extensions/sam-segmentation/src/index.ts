/**
 * The Segment Anything extension for OHIF: declares its modules, nothing else.
 */
import { id } from './id';
import { SamService } from './ohif/SamService';
import { getPanelModule } from './ohif/getPanelModule';
import { getCommandsModule } from './ohif/getCommandsModule';
import type { OhifServicesManager } from './ohif/ohifTypes';

const samExtension = {
  id,
  preRegistration({ servicesManager }: { servicesManager: OhifServicesManager }) {
    servicesManager.registerService(SamService.REGISTRATION);
  },
  getPanelModule,
  getCommandsModule,
};

export default samExtension;
export { id };
