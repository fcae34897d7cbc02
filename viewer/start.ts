/**
 * `npm start` / `npm run serve`: serves the demo viewer and prints its URL.
 * Options: --port N (default 3000, or $PORT), --host ADDRESS (default 127.0.0.1), --base /sub/path/.
 */
import { SAMPLE_STUDIES } from './samples';
import { startServer, type ServerOptions } from './server';

function parseArgs(argv: string[]): ServerOptions {
  const options: ServerOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2);
    const value = inline ?? argv[++i];
    if (flag === '--port') options.port = Number(value);
    else if (flag === '--host') options.host = value;
    else if (flag === '--base') options.basePath = value;
    else throw new Error(`Unknown option ${flag}. Options: --port N, --host ADDRESS, --base /sub/path/`);
  }
  if (options.port === undefined && process.env.PORT) options.port = Number(process.env.PORT);
  return options;
}

const running = await startServer(parseArgs(process.argv.slice(2)));
console.log(`OHIF viewer with Segment Anything: ${running.url}`);
console.log('Sample studies (also on the study list), in the SAM mode:');
for (const study of SAMPLE_STUDIES) {
  console.log(`  ${study.title}: ${running.url}sam?StudyInstanceUIDs=${study.StudyInstanceUID}`);
}
console.log('Press Ctrl+C to stop.');
