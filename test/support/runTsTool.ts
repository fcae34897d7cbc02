/**
 * Runs a TypeScript command-line tool (e.g. tools/eval/cli.ts) in a child Node process and returns
 * its exit code and output, whatever the code: for tests of a CLI's messages and exit status (the
 * tools run onnxruntime-web, which cannot run inside jest's VM).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTsTool(script: string, args: string[], timeoutMs = 300_000): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, script), ...args],
      { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
