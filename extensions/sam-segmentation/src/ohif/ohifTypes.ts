/**
 * The small part of OHIF's API this extension uses, typed here: OHIF's packages cannot be
 * installed with their types from the registry (see docs/dependencies.md), and a narrow interface
 * documents exactly what we depend on.
 */
import type { SamService } from './SamService';
import type { CommandsManagerLike, ExtensionManagerLike } from './host/hostTypes';

export interface ServiceRegistration {
  name: string;
  altName?: string;
  create: (args: {
    servicesManager: OhifServicesManager;
    extensionManager: ExtensionManagerLike;
    commandsManager: CommandsManagerLike;
    configuration?: unknown;
  }) => unknown;
}

export interface OhifServices {
  samService: SamService;
  [name: string]: unknown;
}

export interface OhifServicesManager {
  services: OhifServices;
  registerService(registration: ServiceRegistration, configuration?: unknown): void;
}

export interface OhifModuleArgs {
  servicesManager: OhifServicesManager;
  commandsManager?: unknown;
  extensionManager?: unknown;
}
