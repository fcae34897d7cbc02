import type { BackendPreference } from '../runtime/protocol';
import type { OhifModuleArgs } from './ohifTypes';

/** Commands the mode and toolbar call (verb-first names, as OHIF's). */
export function getCommandsModule({ servicesManager }: OhifModuleArgs) {
  const { samService } = servicesManager.services;
  return {
    definitions: {
      startSamRuntime: {
        commandFn: ({ preference = 'auto' }: { preference?: BackendPreference } = {}) =>
          samService.startRuntime(preference),
      },
      stopSamRuntime: { commandFn: () => samService.stopRuntime() },
      rejectSamPreview: { commandFn: () => samService.rejectPreview() },
    },
    defaultContext: 'VIEWER',
  };
}
