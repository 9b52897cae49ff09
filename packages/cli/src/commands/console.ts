/** `tessera console`: an AWS console sign-in link for a role (POST /v1/console), opened or printed. */
import { type GlobalOptions, openContext } from '../context.js';
import { info, printJson, withSpinner } from '../output.js';

export interface ConsoleOptions extends GlobalOptions {
  readonly role: string;
  readonly duration?: string;
  readonly destination?: string;
  readonly print?: boolean;
}

export async function consoleCommand(options: ConsoleOptions): Promise<void> {
  const ctx = openContext(options);
  const answer = await withSpinner('console sign-in link', () =>
    ctx.api.console({
      role: options.role,
      ...(options.duration ? { durationSeconds: Number(options.duration) } : {}),
      ...(options.destination ? { destination: options.destination } : {}),
    }),
  );
  if (options.json) {
    printJson(answer);
    return;
  }
  if (options.print) {
    process.stdout.write(`${answer.url}\n`);
    return;
  }
  info(`Opening the console as ${answer.roleArn} (link valid until ${answer.expiresAt})`);
  const open = (await import('open')).default;
  await open(answer.url).catch(() => process.stdout.write(`${answer.url}\n`));
}
