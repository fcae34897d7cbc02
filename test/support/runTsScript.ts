/**
 * Runs a TypeScript script in a child Node process and returns what it printed as JSON.
 * onnxruntime-web cannot run inside jest's VM (it needs dynamic import()), so tests that run the
 * real onnxruntime do it in a plain Node process.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export function runTsScript<T>(script: string, args: string[] = []): T {
  const out = execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const lastLine = out.trim().split('\n').pop() ?? '';
  return JSON.parse(lastLine) as T;
}
