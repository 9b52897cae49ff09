#!/usr/bin/env node
/** `npm start`: run the local stack until Ctrl-C / SIGTERM. */
import { banner } from './banner.js';
import { resolveHome } from './config.js';
import { LocalConfigError, LocalStackError } from './errors.js';
import { KeyRing } from './issuer/keys.js';
import { startStack } from './stack.js';

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'rotate-keys') {
    // A new signing key; the previous ones stay in the JWKS. A running stack picks it up on restart.
    const kid = await (await KeyRing.open(resolveHome())).rotate();
    console.log(`new issuer signing key ${kid}; restart the stack to sign with it`);
    return;
  }
  if (command !== undefined) {
    throw new LocalStackError(
      'StartFailed',
      `unknown command ${command} (commands: rotate-keys; none starts the stack)`,
    );
  }
  const started = Date.now();
  const stack = await startStack({ log: (line) => console.error(`[tessera] ${line}`) });
  console.log(banner(stack.info, stack.config.tokenUse));
  console.error(`[tessera] ready in ${Date.now() - started} ms`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`[tessera] ${signal}: stopping`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    stack.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof LocalConfigError || err instanceof LocalStackError) {
    console.error(`tessera local: ${err.message}`);
  } else {
    console.error('tessera local: failed to start');
    console.error(err);
  }
  process.exit(1);
});
