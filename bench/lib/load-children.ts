/**
 * The two processes `npm run test:load` measures apart, so that the store's share of memory is
 * its own process's: `store` runs dynalite on a LevelDB directory; `stack` runs the local stack on
 * that store. Each reports its URLs over IPC and answers `{ cmd: 'memory' }` (after a full GC when
 * run with --expose-gc) and `{ cmd: 'snapshot', path }` (a V8 heap snapshot, its size in bytes).
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { writeHeapSnapshot } from 'node:v8';
import { startStack } from '@tessera/local';

type Message = { cmd: 'memory' } | { cmd: 'snapshot'; path: string } | { cmd: 'stop' };

function memory(): NodeJS.MemoryUsage {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage();
}

function serve(stop: () => Promise<void>): void {
  process.on('message', async (message: Message) => {
    if (message.cmd === 'memory') process.send?.({ memory: memory() });
    else if (message.cmd === 'snapshot') {
      memory();
      writeHeapSnapshot(message.path);
      process.send?.({ snapshotBytes: statSync(message.path).size });
    } else if (message.cmd === 'stop') {
      await stop();
      process.exit(0);
    }
  });
}

async function runStore(path: string): Promise<void> {
  const dynalite = createRequire(import.meta.url)('dynalite') as (options: {
    path: string;
    createTableMs: number;
  }) => import('node:http').Server;
  const server = dynalite({ path, createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address() as import('node:net').AddressInfo;
  serve(() => new Promise((resolve) => server.close(() => resolve())));
  process.send?.({ url: `http://127.0.0.1:${address.port}` });
}

async function runStack(home: string, storeEndpoint: string): Promise<void> {
  const stack = await startStack({ home, ports: 0, storeEndpoint });
  serve(() => stack.stop());
  process.send?.({ info: stack.info });
}

const [role, first, second] = process.argv.slice(2);
if (role === 'store' && first) await runStore(first);
else if (role === 'stack' && first && second) await runStack(first, second);
else {
  console.error('usage: load-children.ts store <dir> | stack <home> <store-url>');
  process.exit(2);
}
