/**
 * `tessera credentials ...` on its fast path: the same options as program.ts declares for it
 * (`--role`, `--duration`, `--policy`, `--profile`, `--api`, `--json`), parsed strictly with
 * `node:util` parseArgs; errors as every command prints them.
 */
import { parseArgs } from 'node:util';
import { credentialsCommand } from './commands/credentials.js';
import { EXIT } from './errors.js';

export async function credentialProcess(argv: readonly string[]): Promise<number> {
  let values: {
    role?: string;
    duration?: string;
    policy?: string;
    profile?: string;
    api?: string;
    json?: boolean;
  };
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        role: { type: 'string' },
        duration: { type: 'string' },
        policy: { type: 'string' },
        profile: { type: 'string' },
        api: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(
      `error: ${(err as Error).message}\n(tessera credentials --help for usage)\n`,
    );
    return EXIT.usage;
  }
  if (!values.role) {
    process.stderr.write(`error: required option '--role <role>' not specified\n`);
    return EXIT.usage;
  }
  try {
    await credentialsCommand({ ...values, role: values.role });
    return EXIT.ok;
  } catch (err) {
    const [{ printError }, { exitCodeOf }] = await Promise.all([
      import('./output.js'),
      import('./errors.js'),
    ]);
    printError(err, Boolean(values.json));
    return exitCodeOf(err);
  }
}
