/**
 * What other packages (the SAM mode) may import from the extension at build time: plain names,
 * no code that touches OHIF or Cornerstone. Everything else is reached through OHIF's module ids.
 */
export { SAM_TOOL_NAMES, samPromptToolEntries } from './ohif/prompts/samToolNames';
