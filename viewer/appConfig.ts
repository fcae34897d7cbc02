/**
 * The viewer's app-config.js: the stock OHIF config, untouched, followed by
 *   1. the lines a deployment adds to load the SAM extension and mode (`samConfigLines`, the same
 *      text the README gives under "Add to your OHIF"), and
 *   2. this demo's own settings: the sample studies' `dicomjson` data source, the sub-path.
 * Keeping the stock text verbatim is what lets the end-to-end test claim "a stock app-config
 * plus these lines".
 */
export interface AppConfigOptions {
  /** The viewer's base path, '/' or e.g. '/ohif/'. Always starts and ends with '/'. */
  basePath: string;
}

export const SAM_EXTENSION_PATH = 'sam/extension/index.mjs';
export const SAM_MODE_PATH = 'sam/mode/index.mjs';

/** The lines to append to any OHIF 3.x app-config.js once the bundles are copied to `<base>sam/`. */
export function samConfigLines(basePath: string): string {
  return [
    '// Segment Anything: load the SAM extension and mode from their ES-module bundles.',
    `window.config.extensions.push('${basePath}${SAM_EXTENSION_PATH}');`,
    `window.config.modes.push('${basePath}${SAM_MODE_PATH}');`,
  ].join('\n');
}

/** This demo's data source: OHIF's dicomjson, reading the sample studies' manifests. */
function demoConfigLines(basePath: string): string {
  const lines = [
    '// Demo viewer only: serve the embedded sample studies through the dicomjson data source.',
    'window.config.dataSources.push({',
    "  namespace: '@ohif/extension-default.dataSourcesModule.dicomjson',",
    "  sourceName: 'dicomjson',",
    "  configuration: { friendlyName: 'SAM sample studies', name: 'json' },",
    '});',
    "window.config.defaultDataSourceName = 'dicomjson';",
    'window.config.showStudyList = true;',
    // Notices about CPU fallback and investigational use are modal and would block every visit.
    'window.config.showCPUFallbackMessage = false;',
    "window.config.investigationalUseDialog = { option: 'never' };",
  ];
  if (basePath !== '/') lines.push(`window.config.routerBasename = '${basePath.replace(/\/$/, '')}';`);
  return lines.join('\n');
}

export function composeAppConfig(stockConfig: string, options: AppConfigOptions): string {
  return [stockConfig.trimEnd(), '', samConfigLines(options.basePath), '', demoConfigLines(options.basePath), ''].join(
    '\n',
  );
}
