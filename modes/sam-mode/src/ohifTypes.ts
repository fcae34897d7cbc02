/** The part of OHIF's API the mode uses (OHIF's types are not installable here; see docs/). */
export interface ModeEnterArgs {
  servicesManager: {
    services: {
      toolbarService: {
        register(buttons: unknown[]): void;
        updateSection(section: string, buttonIds: string[]): void;
        sections: { primary: string };
      };
      toolGroupService: { createToolGroupAndAddTools(id: string, tools: unknown): unknown; destroy(): void };
      segmentationService: { destroy(): void };
      cornerstoneViewportService: { destroy(): void };
      uiNotificationService: { show(n: { title: string; message: string; type: string }): void };
    };
  };
  extensionManager: { registeredExtensionIds: string[]; getModuleEntry(id: string): { exports: unknown } };
  commandsManager: { runCommand(name: string, options?: unknown): unknown };
}
