import type { BackendPreference } from '../runtime/workerMessages';
import type { OhifModuleArgs } from './ohifTypes';
import { samLabelmapCommands, type Notifier } from './labelmap/commands';

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
      acceptSamPreview: { commandFn: () => samService.acceptPreview() },
      clearSamPrompts: { commandFn: () => samService.clearPrompts() },
      /** Propagates the mask on the active viewport's slice through the series (the panel's choice of ways). */
      propagateSam: { commandFn: () => samService.propagate() },
      stopSamPropagation: { commandFn: ({ keep = true }: { keep?: boolean } = {}) => samService.stopPropagation(keep) },
      ...samLabelmapCommands(samService, servicesManager.services.uiNotificationService as Notifier | undefined),
    },
    defaultContext: 'VIEWER',
  };
}
