/** `tessera dev`: runs the local stack (`npm start`'s `tessera-local`) in the foreground. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export async function devCommand(): Promise<number> {
  const entry = fileURLToPath(import.meta.resolve('@tessera/local'));
  const bin = join(dirname(entry), 'bin.js');
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [bin], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code) => resolvePromise(code ?? 0));
  });
}
