// Runs one of the project's scripts (chaos/run.ts, soak/run.ts) as its own node process with `env`
// added, and returns its exit code and everything it printed (shown when a test fails).
import { spawn } from 'node:child_process';
import { nodeEntry } from './node-entry.ts';

export async function runScript(path: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, nodeEntry(path), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  return { code, output };
}
