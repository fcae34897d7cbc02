/**
 * `npm start` / `npm run serve`: serves the demo viewer and prints its URL.
 * Options: --port N (default 3000, or $PORT), --host ADDRESS (default 127.0.0.1), --base /sub/path/,
 * --pacs URL (a PACS's DICOMweb root, e.g. a local Orthanc's http://127.0.0.1:8042/dicom-web, in place
 * of the embedded sample studies), --load-samples (with --pacs: store the sample studies there first).
 */
import { SAMPLE_STUDIES } from './samples';
import { startServer, type ServerOptions } from './server';
import { storeSampleStudies } from './storeSamples';

const USAGE = 'Options: --port N, --host ADDRESS, --base /sub/path/, --pacs DICOMWEB_URL, --load-samples';

function parseArgs(argv: string[]): ServerOptions & { loadSamples: boolean } {
  const options: ServerOptions & { loadSamples: boolean } = { loadSamples: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2);
    if (flag === '--load-samples') {
      options.loadSamples = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value. ${USAGE}`);
    if (flag === '--port') options.port = Number(value);
    else if (flag === '--host') options.host = value;
    else if (flag === '--base') options.basePath = value;
    else if (flag === '--pacs') options.pacs = value;
    else throw new Error(`Unknown option ${flag}. ${USAGE}`);
  }
  if (options.loadSamples && !options.pacs)
    throw new Error('--load-samples stores the samples in a PACS: give --pacs too');
  if (options.port === undefined && process.env.PORT) options.port = Number(process.env.PORT);
  return options;
}

const { loadSamples, ...options } = parseArgs(process.argv.slice(2));
if (loadSamples) {
  for (const { title, instances } of await storeSampleStudies(options.pacs!)) {
    console.log(`Stored in the PACS: ${title} (${instances} instances)`);
  }
}
const running = await startServer(options);
console.log(`OHIF viewer with Segment Anything: ${running.url}`);
if (options.pacs) {
  console.log(
    `Studies from the PACS at ${options.pacs} (proxied at ${new URL(options.pacs).pathname} on this origin).`,
  );
  console.log(`Open one from the study list, then choose "SAM"; or ${running.url}sam?StudyInstanceUIDs=<uid>`);
} else {
  console.log('Sample studies (also on the study list), in the SAM mode:');
  for (const study of SAMPLE_STUDIES) {
    console.log(`  ${study.title}: ${running.url}sam?StudyInstanceUIDs=${study.StudyInstanceUID}`);
  }
}
console.log('Press Ctrl+C to stop.');
