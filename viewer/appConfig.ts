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
  /**
   * A PACS's DICOMweb root on the viewer's origin (e.g. '/dicom-web', proxied to Orthanc) to read
   * studies from instead of the embedded sample studies.
   */
  pacsRoot?: string;
}

/**
 * Where the bundles live below the viewer's base path. The folder is not `sam/`: that is the mode's
 * route (`/sam?StudyInstanceUIDs=…`), and a web server's `try_files $uri $uri/ /index.html` would
 * find the folder for the route (301 to `/sam/`, then 403) instead of the viewer's index.html.
 */
export const SAM_BUNDLE_FOLDER = 'ohif-sam/';
export const SAM_EXTENSION_PATH = `${SAM_BUNDLE_FOLDER}extension/index.js`;
export const SAM_MODE_PATH = `${SAM_BUNDLE_FOLDER}mode/index.js`;
/** Where the demo server's DICOMweb endpoint for the sample studies lives, below the base path. */
export const DICOMWEB_PATH = 'dicomweb';

/** The lines to append to any OHIF 3.x app-config.js once the bundles are copied to `<base>ohif-sam/`. */
export function samConfigLines(basePath: string): string {
  return [
    '// Segment Anything: load the SAM extension and mode from their ES-module bundles.',
    `window.config.extensions.push('${basePath}${SAM_EXTENSION_PATH}');`,
    `window.config.modes.push('${basePath}${SAM_MODE_PATH}');`,
  ].join('\n');
}

/**
 * A PACS behind the viewer's own origin (`root`, e.g. '/dicom-web', which the web server proxies to
 * Orthanc's DICOMweb plugin): OHIF's `dicomweb` data source with the settings Orthanc's plugin
 * needs (no includefield in QIDO, unquoted multipart types), made the default. The README's
 * deployment recipe quotes these lines; the deployment test and `npm start -- --pacs` use them.
 */
export function pacsDataSourceLines(root: string): string {
  return [
    `// This site's PACS (Orthanc's DICOMweb plugin) behind the web server at ${root}.`,
    'window.config.dataSources.push({',
    "  namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',",
    "  sourceName: 'pacs',",
    '  configuration: {',
    "    friendlyName: 'PACS', name: 'pacs',",
    `    wadoUriRoot: '${root}', qidoRoot: '${root}', wadoRoot: '${root}',`,
    "    qidoSupportsIncludeField: false, imageRendering: 'wadors', thumbnailRendering: 'wadors',",
    '    enableStudyLazyLoad: true, supportsFuzzyMatching: true, supportsWildcard: true,',
    '    bulkDataURI: { enabled: true }, omitQuotationForMultipartRequest: true, supportsStow: true,',
    '  },',
    '});',
    "window.config.defaultDataSourceName = 'pacs';",
  ].join('\n');
}

/**
 * This demo's data sources: the sample studies through OHIF's ordinary `dicomweb` data source (as
 * a hospital's PACS would be), and `dicomjson` for opening a static manifest by URL
 * (`<base>sam/dicomjson?url=<manifest>`). `dicomlocal` is needed by OHIF 3.13 to address the frames
 * of a multi-frame SEG listed in a dicomjson manifest.
 *
 * The samples' endpoint takes STOW-RS (held in the server's memory), so the source says
 * `supportsStow`. In OHIF 3.13 that flag only decides which sources the Store dialog lists when
 * `allowMultiSelectExport` is on; with it off (the stock config) OHIF stores to the active source,
 * whose `store.dicom` POSTs to `<wadoRoot>/studies`. With `pacsRoot` (`npm start -- --pacs`) the
 * PACS's source takes the samples' place.
 */
function demoConfigLines(basePath: string, pacsRoot?: string): string {
  const dicomwebRoot = `${basePath}${DICOMWEB_PATH}`;
  const samplesSource = [
    '// Demo viewer only: the embedded sample studies (DICOM SEGs stored from OHIF are kept in memory).',
    'window.config.dataSources.push({',
    "  namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',",
    "  sourceName: 'samples',",
    '  configuration: {',
    "    friendlyName: 'SAM sample studies',",
    "    name: 'samples',",
    `    wadoUriRoot: '${dicomwebRoot}',`,
    `    qidoRoot: '${dicomwebRoot}',`,
    `    wadoRoot: '${dicomwebRoot}',`,
    '    qidoSupportsIncludeField: true,',
    "    imageRendering: 'wadors',",
    "    thumbnailRendering: 'wadors',",
    '    enableStudyLazyLoad: true,',
    '    supportsFuzzyMatching: false,',
    '    supportsWildcard: true,',
    '    bulkDataURI: { enabled: true },',
    '    supportsStow: true,',
    '  },',
    '});',
    "window.config.defaultDataSourceName = 'samples';",
  ];
  const lines = [
    ...(pacsRoot ? [pacsDataSourceLines(pacsRoot)] : samplesSource),
    'window.config.dataSources.push(',
    "  { namespace: '@ohif/extension-default.dataSourcesModule.dicomjson', sourceName: 'dicomjson', configuration: { friendlyName: 'dicomjson', name: 'json' } },",
    "  { namespace: '@ohif/extension-default.dataSourcesModule.dicomlocal', sourceName: 'dicomlocal', configuration: { friendlyName: 'local' } },",
    ');',
    'window.config.showStudyList = true;',
    // Notices about CPU fallback and investigational use are modal and would block every visit.
    'window.config.showCPUFallbackMessage = false;',
    "window.config.investigationalUseDialog = { option: 'never' };",
  ];
  if (basePath !== '/') lines.push(`window.config.routerBasename = '${basePath.replace(/\/$/, '')}';`);
  return lines.join('\n');
}

export function composeAppConfig(stockConfig: string, options: AppConfigOptions): string {
  return [
    stockConfig.trimEnd(),
    '',
    samConfigLines(options.basePath),
    '',
    demoConfigLines(options.basePath, options.pacsRoot),
    '',
  ].join('\n');
}
