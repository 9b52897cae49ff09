/** `tessera roles`: the roles the signed-in user may use, as a table grouped by account. */
import type { GlobalOptions } from '../context.js';
import { openContext } from '../context.js';
import { formatDuration, printJson, table, withSpinner } from '../output.js';

export async function rolesCommand(options: GlobalOptions): Promise<void> {
  const ctx = openContext(options);
  const answer = await withSpinner('roles', () => ctx.api.roles());
  if (options.json) {
    printJson(answer);
    return;
  }
  if (answer.accounts.every((a) => a.roles.length === 0)) {
    process.stdout.write('No roles: no binding trusts you. tessera simulate --role R says why.\n');
    return;
  }
  const rows: string[][] = [];
  for (const account of answer.accounts) {
    const name = account.accountName
      ? `${account.accountName} (${account.accountId})`
      : account.accountId;
    account.roles.forEach((r, i) => {
      rows.push([
        i === 0 ? name : '',
        r.bindingId,
        r.roleName,
        `${formatDuration(r.defaultDurationSeconds)} / ${formatDuration(r.maxDurationSeconds)}`,
        r.description ?? '',
      ]);
    });
  }
  process.stdout.write(
    `${await table(['account', 'role (use with --role)', 'IAM role', 'default / max', 'description'], rows)}\n`,
  );
}
