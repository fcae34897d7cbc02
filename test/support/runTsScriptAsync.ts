/**
 * Like `runTsScript`, but asynchronous, so a test can run several child processes at once (each
 * runs onnxruntime-web in plain Node and prints its result as JSON on its last line).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export function runTsScriptAsync<T>(script: string, args: string[] = [], timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, script), ...args],
      { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${script} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as T);
        } catch (parseError) {
          reject(new Error(`${script} printed no JSON result: ${String(parseError)}\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}
