// CLI: npx tsx viewer/samples/make-samples.ts
// Regenerates viewer/samples/generated/ (gitignored): phantom DICOM, ground truth, manifests.

import path from 'node:path';

import { buildSamples } from './buildSamples';

// The script's own folder, from argv: works whether tsx loads this file as CJS or ESM.
const samplesDir = path.dirname(path.resolve(process.argv[1] ?? ''));
const started = performance.now();
const written = buildSamples({
  samplesDir,
  log: (line) => console.log(`  ${line}`),
});
const megabytes = written.reduce((n, f) => n + f.bytes, 0) / 1e6;
console.log(
  `Wrote ${written.length} files (${megabytes.toFixed(1)} MB) under ${path.relative(process.cwd(), samplesDir) || '.'}/ ` +
    `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
