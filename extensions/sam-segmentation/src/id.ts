import packageJson from '../package.json';

/** The extension id is its package name, as for OHIF's own extensions. */
export const id: string = packageJson.name;

/** Fully qualified ids other modules (the mode) use to reference this extension's entries. */
export const SAM_PANEL_ID = `${id}.panelModule.samPanel`;
