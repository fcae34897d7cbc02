// The manifests name every file relative to the samples folder through a placeholder,
// because the viewer may be served at `/` or under a sub-path such as `/ohif/`; the
// server substitutes the absolute URL of the samples folder when it serves a manifest.

export const SAMPLES_BASE_PLACEHOLDER = '${SAMPLES_BASE}';

/** `dicomweb:${SAMPLES_BASE}/<path>` for a file at `path` (posix, relative to viewer/samples). */
export function sampleImageId(relativePath: string): string {
  if (relativePath.startsWith('/') || relativePath.split('/').includes('..')) {
    throw new Error(`Sample path must be relative and inside the samples folder: ${relativePath}`);
  }
  return `dicomweb:${SAMPLES_BASE_PLACEHOLDER}/${encodeURI(relativePath)}`;
}

/**
 * Manifest text with the placeholder replaced by `samplesBaseUrl`, the absolute URL of
 * the samples folder (e.g. `http://localhost:3000/ohif/samples`); a trailing slash is ignored.
 */
export function resolveSamplesBase(manifestText: string, samplesBaseUrl: string): string {
  const base = samplesBaseUrl.replace(/\/+$/, '');
  // JSON-escape the replacement so that a base with quotes or backslashes cannot break the text.
  const escaped = JSON.stringify(base).slice(1, -1);
  return manifestText.split(SAMPLES_BASE_PLACEHOLDER).join(escaped);
}
