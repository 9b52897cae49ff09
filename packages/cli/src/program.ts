/**
 * Every `tessera` command, parsed by commander; each command's module is loaded only when it runs.
 * Exit codes: errors.ts `EXIT`, documented in packages/cli/README.md.
 */
import { Command, CommanderError, Option } from 'commander';

const program = new Command('tessera')
  .description('Short-lived AWS credentials from your Tessera sign-in.')
  .version('0.1.0')
  // A subcommand's options are its own (`audit trail --json` is trail's --json, not audit's).
  .enablePositionalOptions()
  .showHelpAfterError('(tessera <command> --help for usage)')
  .exitOverride()
  .addHelpText(
    'after',
    `
New here? Three commands:
  tessera login            sign in (opens your browser)
  tessera configure        one AWS CLI profile per role you may use
  aws s3 ls --profile ROLE use a role; credentials come from Tessera, cached

Finds the API with --api / TESSERA_API, then ~/.config/tessera/config.json, then a running
local stack (.tessera/local.json here, or in TESSERA_HOME).
Exit codes: 0 ok, 1 failure, 2 usage, 3 not signed in, 4 refused (403), 5 conflict (412),
6 invalid input, 7 unavailable.`,
  );

type Opts = Record<string, unknown>;

/** Options every command takes. */
function common(
  cmd: Command,
  profileHelp = 'Tessera profile (default: TESSERA_PROFILE or "default")',
): Command {
  return cmd
    .option(
      '--api <url>',
      'the Tessera API (default: TESSERA_API, the config file, or the local stack)',
    )
    .option('--profile <name>', profileHelp)
    .option('--json', 'machine-readable output');
}

let jsonOutput = false;

/** Runs a command's action; errors become one line (or JSON) and an exit code. */
function run(action: (opts: Opts, ...args: string[]) => Promise<unknown>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.opts() as Opts;
    jsonOutput = Boolean(opts.json);
    // An optional argument not given is undefined: not passed on as "undefined".
    const positional = args
      .slice(0, -2)
      .filter((a) => a !== undefined)
      .map(String);
    const code = await action(opts, ...positional);
    process.exitCode = typeof code === 'number' ? code : 0;
  };
}

common(
  program
    .command('login')
    .description(
      'Sign in: the browser (hosted UI, PKCE, loopback redirect), or a password from stdin',
    )
    .option(
      '--username <name>',
      'sign in with a password instead of the browser (local stack, scripts)',
    )
    .option('--password-stdin', 'read the password from standard input')
    .option('--no-browser', 'print the sign-in URL instead of opening a browser')
    .option('--timeout <seconds>', 'how long to wait for the browser', '300')
    .addHelpText(
      'after',
      '\nExamples:\n  tessera login\n  echo "$PASSWORD" | tessera login --username erin --password-stdin',
    ),
).action(run(async (o) => (await import('./commands/login.js')).loginCommand(o)));

common(program.command('logout').description('Forget the stored sign-in')).action(
  run(async (o) => (await import('./commands/login.js')).logoutCommand(o)),
);

common(
  program
    .command('whoami')
    .description('Who is signed in: user, groups, token expiry')
    .addHelpText('after', '\nExample:\n  tessera whoami --json'),
).action(run(async (o) => (await import('./commands/login.js')).whoamiCommand(o)));

common(
  program
    .command('roles')
    .description('The roles you may use, grouped by account')
    .addHelpText('after', '\nExample:\n  tessera roles'),
).action(run(async (o) => (await import('./commands/roles.js')).rolesCommand(o)));

function roleCommand(name: string, description: string, example: string): Command {
  return common(
    program
      .command(name)
      .description(description)
      .requiredOption('--role <role>', 'binding id (or role ARN)')
      .option('--duration <seconds>', 'session length (clamped by the binding and the role)')
      .option('--policy <file>', 'a scope-down session policy (JSON)')
      .addHelpText('after', `\nExample:\n  ${example}`),
  );
}

roleCommand(
  'credentials',
  'Credentials as the AWS CLI credential_process JSON (cached until shortly before expiry)',
  'credential_process = tessera credentials --role eng-readonly',
).action(
  run(async (o) => (await import('./commands/credentials.js')).credentialsCommand(o as never)),
);

roleCommand(
  'env',
  'Print export AWS_... lines for a role',
  'eval "$(tessera env --role eng-readonly)"',
).action(run(async (o) => (await import('./commands/credentials.js')).envCommand(o as never)));

roleCommand(
  'exec',
  "Run a command with a role's credentials in its environment",
  'tessera exec --role eng-readonly -- aws s3 ls',
)
  .argument('<command...>', 'the command and its arguments (after --)')
  .action(async (argv: string[], _o: Opts, cmd: Command) => {
    jsonOutput = Boolean(cmd.opts().json);
    const { execCommand } = await import('./commands/credentials.js');
    process.exitCode = await execCommand(cmd.opts() as never, argv);
  });

program
  .command('configure')
  .description('Write one AWS CLI profile per role (credential_process = tessera credentials ...)')
  .option('--role <role>', 'only this role')
  .option('--profile <name>', 'the AWS profile name (with --role; default: the role)')
  .option('--tessera-profile <name>', 'the Tessera profile the AWS profiles use')
  .option('--duration <seconds>', 'session length the profiles ask for')
  .option('--command <cmd>', 'how the AWS CLI runs tessera', 'tessera')
  .option('--dry-run', 'show, write nothing')
  .option('--api <url>', 'the Tessera API')
  .option('--json', 'machine-readable output')
  .addHelpText(
    'after',
    '\nExamples:\n  tessera configure\n  tessera configure --role eng-readonly --profile eng',
  )
  .action(
    run(async (o) =>
      (await import('./commands/configure.js')).configureCommand({
        ...(o as object),
        awsProfile: o.profile as string | undefined,
        profile: o.tesseraProfile as string | undefined,
      }),
    ),
  );

common(
  program
    .command('console')
    .description('Open the AWS console as a role (a sign-in link)')
    .requiredOption('--role <role>', 'binding id (or role ARN)')
    .option('--duration <seconds>', 'session length')
    .option('--destination <url>', 'console page to open')
    .option('--print', 'print the link instead of opening it')
    .addHelpText('after', '\nExample:\n  tessera console --role eng-readonly --print'),
).action(run(async (o) => (await import('./commands/console.js')).consoleCommand(o as never)));

common(
  program
    .command('simulate')
    .description('Would you get this role, for how long, scoped how, and why (not)?')
    .requiredOption('--role <role>', 'binding id (or role ARN)')
    .option('--duration <seconds>', 'requested session length')
    .option('--as <claims.json>', '(administrators) simulate these token claims')
    .addOption(
      new Option('--check <action-resource...>', 'ACTION RESOURCE: could the session do it?'),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  tessera simulate --role partner-audit\n  tessera simulate --role app-upload --check s3:PutObject arn:aws:s3:::media/uploads/x/a.jpg',
    ),
).action(run(async (o) => (await import('./commands/simulate.js')).simulateCommand(o as never)));

const audit = common(
  program
    .command('audit')
    .description('(administrators) audit events, newest first; --me: what was issued in your name')
    .option('--subject <sub>', 'only this subject')
    .option('--role <arn>', 'only this role ARN')
    .option('--binding <id>', 'only this binding')
    .option('--result <r>', 'grant, deny or error')
    .option('--since <when>', '30m, 2h, 7d or a date')
    .option('--until <when>', '30m, 2h, 7d or a date')
    .option('--limit <n>', 'at most this many events', '50')
    .option('--me', 'your own recent grants')
    .addHelpText(
      'after',
      '\nExamples:\n  tessera audit --result deny --since 2h\n  tessera audit trail --subject alice --since 7d',
    ),
);
// Options after `trail` are its own (both commands take --json, --subject, --since...).
audit.enablePositionalOptions();
audit.action(run(async (o) => (await import('./commands/audit.js')).auditCommand(o as never)));

common(
  audit
    .command('trail [eventId]')
    .description(
      '(administrators) what was done with what Tessera vended, from CloudTrail: one grant by its audit event id, or --subject',
    )
    .option('--subject <who>', 'a username, or <iss>|<sub>')
    .option('--since <when>', '30m, 2h, 7d or a date')
    .option('--until <when>', '30m, 2h, 7d or a date')
    .option('--limit <n>', 'at most this many grants', '10')
    .addHelpText(
      'after',
      '\nExamples:\n  tessera audit trail 5b0e...   # an eventId from `tessera audit`\n  tessera audit trail --subject alice --since 7d',
    ),
).action(
  run(async (o, eventId) =>
    (await import('./commands/audit-trail.js')).auditTrailCommand(o as never, eventId),
  ),
);

common(
  program
    .command('review')
    .description(
      '(administrators) the access review: who can assume each binding now, and when they last did',
    )
    .option('--format <format>', 'table, json or csv', 'table')
    .option('--by <side>', 'order by binding or subject', 'binding')
    .option('--stale-after-days <days>', 'unused this long is stale (default 30)')
    .option('--stale-only', 'only stale access')
    .addHelpText('after', '\nExample:\n  tessera review --format csv > access-review.csv'),
).action(run(async (o) => (await import('./commands/review.js')).reviewCommand(o as never)));

const bindings = program
  .command('bindings')
  .description('The trust table as code: a folder of binding files (YAML or JSON, <id>.yaml)');

common(
  bindings
    .command('validate')
    .description('Check the files offline (exit 6 on any problem): a pull-request gate')
    .argument('<dir>', 'folder of binding files')
    .addHelpText('after', '\nExample:\n  tessera bindings validate bindings/'),
).action(run(async (o, dir) => (await import('./commands/bindings.js')).validateCommand(dir!, o)));

common(
  bindings
    .command('diff')
    .description(
      'What apply would change, field by field, and who would gain or lose access (what-if)',
    )
    .argument('<dir>', 'folder of binding files')
    .option('--exit-code', 'exit 1 when there are changes')
    .option('--no-impact', 'only the textual diff (no what-if on the server)')
    .addHelpText('after', '\nExample:\n  tessera bindings diff bindings/'),
).action(run(async (o, dir) => (await import('./commands/bindings.js')).diffCommand(dir!, o)));

common(
  bindings
    .command('apply')
    .description('Write what changed (If-Match), stop at the first conflict')
    .argument('<dir>', 'folder of binding files')
    .option('--dry-run', 'show, write nothing')
    .addHelpText('after', '\nExample:\n  tessera bindings apply bindings/ --dry-run'),
).action(run(async (o, dir) => (await import('./commands/bindings.js')).applyCommand(dir!, o)));

common(
  bindings
    .command('list')
    .description('The stored bindings')
    .addHelpText('after', '\nExample:\n  tessera bindings list'),
).action(run(async (o) => (await import('./commands/bindings.js')).listCommand(o)));

common(
  bindings
    .command('get')
    .description('A stored binding as a file apply takes back')
    .argument('<id>', 'binding id')
    .option('--format <f>', 'yaml or json', 'yaml')
    .addHelpText(
      'after',
      '\nExample:\n  tessera bindings get eng-readonly > bindings/eng-readonly.yaml',
    ),
).action(run(async (o, id) => (await import('./commands/bindings.js')).getCommand(id!, o)));

const revocations = program
  .command('revocations')
  .description(
    '(administrators) The kill switch: cut a person off, sessions already issued included',
  );

common(
  revocations
    .command('add')
    .description(
      'Refuse new vends for a subject and deny the sessions it holds (exit 1 if a role account could not be updated)',
    )
    .option('--username <name>', 'the username to revoke')
    .option('--subject <sub>', 'the token sub to revoke')
    .option('--reason <text>', 'why (kept with the revocation)')
    .option('--until <when>', 'allow new vends again after this time (ISO date)')
    .addHelpText(
      'after',
      '\nExample:\n  tessera revocations add --username alice --reason "laptop stolen"',
    ),
).action(run(async (o) => (await import('./commands/revocations.js')).addCommand(o as never)));

common(
  revocations
    .command('list')
    .description('Revocations of the pool: active, lifted or ended (until their sessions expired)')
    .addHelpText('after', '\nExample:\n  tessera revocations list'),
).action(run(async (o) => (await import('./commands/revocations.js')).listCommand(o)));

common(
  revocations
    .command('lift')
    .description('Allow new vends again (sessions issued before stay denied until they expire)')
    .argument('<id>', 'revocation id')
    .addHelpText('after', '\nExample:\n  tessera revocations lift 6f1c…'),
).action(run(async (o, id) => (await import('./commands/revocations.js')).liftCommand(id!, o)));

program
  .command('dev')
  .description('Run the local stack in the foreground (as npm start)')
  .action(async () => {
    process.exitCode = await (await import('./commands/dev.js')).devCommand();
  });

export async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; a usage error exits 2 (commander has printed it).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const [{ printError }, { exitCodeOf }] = await Promise.all([
      import('./output.js'),
      import('./errors.js'),
    ]);
    printError(err, jsonOutput);
    process.exitCode = exitCodeOf(err);
  }
}
