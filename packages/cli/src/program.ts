/**
 * The `convoy` command line: `init`, `serve` and `worker`, and the commands that talk to a running server over
 * HTTP (`send`, `get`, `ls`, `history`, `wait`, `diagram`, `dlq`, `pause`, `resume`, `retry`).
 */
import type { ConvoyDefinition } from '@convoy/core';
import { relative } from 'node:path';
import { Command, Option } from 'commander';
import { registerConvoyCommands } from './commands/convoy-commands.ts';
import { registerDeadLetterCommands } from './commands/dead-letters.ts';
import { registerDiagramCommand } from './commands/diagram.ts';
import { integer } from './commands/remote.ts';
import { cliPackageInfo } from './package-info.ts';
import { closeOnSignals } from './signals.ts';

function typeLines(definitions: readonly ConvoyDefinition[]): string[] {
  return definitions.map((d) => `  ${d.type} v${d.version}  events: ${d.eventTypes.join(', ')}`);
}

interface ServeFlags {
  readonly port: number;
  readonly host: string;
  readonly redis?: string;
  readonly worker: boolean;
  readonly localTurns: boolean;
  readonly concurrency?: number;
  readonly wakeBatch?: number;
  readonly logRequests?: boolean;
  readonly console: boolean;
  readonly logLevel: string;
  readonly maxStreams: number;
  readonly authFile?: string;
  readonly allowedHosts?: readonly string[];
  readonly allowUnauthenticated?: boolean;
  readonly storeTimeout: number;
}

interface WorkerFlags {
  readonly redis: string;
  readonly concurrency?: number;
  readonly wakeBatch?: number;
  readonly logLevel: string;
  readonly storeTimeout: number;
}

const logLevelOption = () =>
  new Option('--log-level <level>', 'JSON logs (pino) on stderr from this level')
    .choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info');

const redisOption = (description: string) => new Option('--redis <url>', description).env('CONVOY_REDIS_URL');
const storeTimeoutOption = () =>
  new Option(
    '--store-timeout <ms>',
    'with --redis: deadline of every store call; past it a request answers 503 store_unavailable (Retry-After: 1)',
  )
    .argParser(integer(100, 600_000))
    .default(5_000);
const concurrencyOption = () =>
  new Option('--concurrency <n>', 'convoys processed at the same time by this process').argParser(
    integer(1, 10_000),
  );

const wakeBatchOption = () =>
  new Option(
    '--wake-batch <n>',
    'with --redis: most convoys one queue job wakes when several are woken at once (default 64); ' +
      '1 = one job per convoy, for a rolling upgrade while workers of an earlier version still run',
  ).argParser(integer(1, 10_000));

/** `--allowed-hosts a,b`: trimmed, empty entries dropped (an empty value means "not set"). */
function hostList(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/** The banner's lines about who may call. */
function securityLines(summary: readonly string[], allowedHosts: readonly string[]): string[] {
  const open = ['read', 'write', 'operate'].filter(
    (group) => !summary.some((line) => line.startsWith(`${group}:`)),
  );
  return [
    ...summary.map((line) => `  auth ${line}`),
    ...(open.length > 0 ? [`  auth ${open.join(', ')}: open (no token needed)`] : []),
    `  hosts: ${allowedHosts.includes('*') ? 'any' : allowedHosts.join(', ')}`,
  ];
}

const serveSecurityHelp = `
Secure by default:
  Bearer tokens per route group (read: GET routes and streams; write: POST events; operate: pause,
  resume, retry, redrive, discard) come from the environment, comma-separated "token" or "name:token"
  (the name is recorded as "by" in operator history), and/or from --auth-file:
    CONVOY_READ_TOKENS   CONVOY_WRITE_TOKENS   CONVOY_OPERATE_TOKENS
  Tokens have at least 16 characters (openssl rand -hex 32). The console asks for a token and uses it.
  While any group has no token, only loopback Host names are answered (DNS-rebinding defence; see
  --allowed-hosts) and a non-loopback --host is refused (see --allow-unauthenticated).
  POST and DELETE requests need Content-Type: application/json (with a JSON body, e.g. {}) or an
  X-Convoy-Request header, and are refused when a browser says another origin sent them.
`;

/**
 * Build the `convoy` program. `out` receives what a user reads (URL, loaded types, command results);
 * `err` the failures of the remote commands (the server's code).
 */
export function createProgram(
  out: (line: string) => void = (line) => console.log(line),
  err: (line: string) => void = (line) => console.error(line),
): Command {
  const program = new Command('convoy')
    .description('Run Sequential Convoys (XState v5 machines, one persisted actor per id) over HTTP')
    .version(cliPackageInfo().version, '-v, --version', 'print the version of @convoy/cli')
    .showHelpAfterError();

  program
    .command('init')
    .description('create a starter project: a convoy in TypeScript, its test, and how to serve it')
    .argument('[dir]', 'the folder: new, empty, or with a package.json to complete', '.')
    .action(async (dir: string) => {
      const { scaffoldProject } = await import('./init/scaffold.ts');
      const result = scaffoldProject(dir);
      const cd = relative(process.cwd(), result.dir);
      out(
        [
          `Created a Convoy project in ${result.dir}:`,
          ...result.files.map(
            (file) => `  ${file}${file === 'package.json' && result.mergedPackageJson ? ' (completed)' : ''}`,
          ),
          '',
          'Next:',
          ...(cd ? [`  cd ${cd}`] : []),
          '  npm install',
          "  npm test      # the convoy's tests, on simulated time",
          '  npm start     # serve it on http://127.0.0.1:3000 (console at /console)',
        ].join('\n'),
      );
    });

  program
    .command('serve')
    .description('serve the convoy definitions exported by <module> over HTTP (and process them)')
    .argument(
      '<module>',
      'a .ts or .js module exporting convoy definitions (path relative to the current directory)',
    )
    .option('-p, --port <port>', 'TCP port (0 = any free port)', integer(0, 65_535), 3000)
    .option('-H, --host <host>', 'interface to listen on', '127.0.0.1')
    .addOption(
      redisOption('store convoys in Redis (durable, many processes) instead of the embedded memory store'),
    )
    .addOption(storeTimeoutOption())
    .option('--no-worker', 'HTTP only: accept and read, let `convoy worker` processes do the processing')
    .option(
      '--no-local-turns',
      'send every turn through the queue, also those of convoys this process just woke itself',
    )
    .addOption(concurrencyOption())
    .addOption(wakeBatchOption())
    .option('--no-console', 'do not mount the web console at /console')
    .option(
      '--max-streams <n>',
      'live streams (SSE) open at once; more get 503 too_many_streams with Retry-After',
      integer(0, 1_000_000),
      1000,
    )
    .option('--log-requests', 'log every HTTP request')
    .addOption(logLevelOption())
    .addOption(
      new Option(
        '--auth-file <path>',
        'bearer tokens per route group, JSON {"read":[...],"write":[...],"operate":[...]}; entries "token" or ' +
          '{"name","token"} (merged with the CONVOY_*_TOKENS variables)',
      ).env('CONVOY_AUTH_FILE'),
    )
    .addOption(
      new Option(
        '--allowed-hosts <names>',
        'comma-separated Host names to answer (e.g. convoy.example.com,10.0.0.5; "*" = any). Default: ' +
          'localhost, 127.0.0.1 and [::1] while a route group has no token, any host once all have',
      )
        .env('CONVOY_ALLOWED_HOSTS')
        .argParser(hostList),
    )
    .option(
      '--allow-unauthenticated',
      'listen on a non-loopback --host although some route group has no token (you protect the port)',
    )
    .addHelpText('after', serveSecurityHelp)
    .action(async (module: string, flags: ServeFlags) => {
      // Loaded on use: the remote commands start faster without the runtime, Fastify and the console.
      const { isLoopbackHost, startServer } = await import('./serve.ts');
      const { loadServeAuth } = await import('./serve-auth.ts');
      const auth = loadServeAuth({
        env: process.env,
        // An empty CONVOY_AUTH_FILE means "not set".
        ...(flags.authFile ? { file: flags.authFile } : {}),
      });
      for (const warning of auth.warnings) err(`convoy: warning: ${warning}`);
      const server = await startServer({
        module,
        port: flags.port,
        host: flags.host,
        auth: auth.auth,
        ...(flags.allowedHosts === undefined || flags.allowedHosts.length === 0
          ? {}
          : { allowedHosts: flags.allowedHosts }),
        allowUnauthenticated: flags.allowUnauthenticated ?? false,
        // An empty CONVOY_REDIS_URL means "not set".
        redis: flags.redis || undefined,
        worker: flags.worker,
        localTurns: flags.localTurns,
        concurrency: flags.concurrency,
        wakeBatch: flags.wakeBatch,
        logRequests: flags.logRequests ?? false,
        logLevel: flags.logLevel,
        console: flags.console,
        maxStreams: flags.maxStreams,
        storeTimeoutMs: flags.storeTimeout,
      });
      closeOnSignals(() => server.close());
      if (
        !isLoopbackHost(flags.host) &&
        !server.allowedHosts.includes('*') &&
        flags.allowedHosts === undefined
      ) {
        err(
          `convoy: warning: listening on ${flags.host} but answering only Host ${server.allowedHosts.join(', ')} ` +
            '(a route group is open); name the hosts clients use with --allowed-hosts',
        );
      }
      // One write: a reader that sees the URL line sees the whole banner (tests read it right after).
      const banner = [
        `Convoy listening on ${server.url}`,
        `  store: ${server.storeDescription}${server.processing ? '' : ', HTTP only (no processing)'}`,
        ...(server.consoleUrl ? [`  console: ${server.consoleUrl}`] : []),
        ...securityLines(auth.summary, server.allowedHosts),
        ...typeLines(server.definitions),
      ];
      const first = server.definitions[0];
      if (first) {
        const bearer = (group: string) =>
          auth.summary.some((line) => line.startsWith(`${group}:`))
            ? ` -H "authorization: Bearer $TOKEN"`
            : '';
        // An event a new convoy applies (schema's required fields, initial state, guards), never one refused.
        const { exampleEvent } = await import('@convoy/core/engine');
        const example = exampleEvent(first);
        banner.push(`  try: curl${bearer('read')} ${server.url}/convoy-types/${first.type}`);
        banner.push(
          example === undefined
            ? `       (no event is applied by a new ${first.type} convoy without data; see its events above)`
            : `       curl -X POST '${server.url}/convoys/${first.type}/demo-1/events?wait=5000' ` +
                `-H 'content-type: application/json' -d '${JSON.stringify(example).replaceAll("'", "'\\''")}'${bearer('write')}`,
        );
      }
      out(banner.join('\n'));
    });

  program
    .command('worker')
    .description('process the convoys of <module> stored in Redis (no HTTP)')
    .argument('<module>', 'the same module the HTTP nodes serve')
    .addOption(redisOption('the Redis shared with `convoy serve --redis`').makeOptionMandatory())
    .addOption(storeTimeoutOption())
    .addOption(concurrencyOption())
    .addOption(wakeBatchOption())
    .addOption(logLevelOption())
    .action(async (module: string, flags: WorkerFlags) => {
      if (!flags.redis) throw new Error('convoy worker needs --redis <url> (or CONVOY_REDIS_URL)');
      const { startWorker } = await import('./worker.ts');
      const worker = await startWorker({
        module,
        redis: flags.redis,
        concurrency: flags.concurrency,
        wakeBatch: flags.wakeBatch,
        logLevel: flags.logLevel,
        storeTimeoutMs: flags.storeTimeout,
      });
      closeOnSignals(() => worker.close());
      out(
        [
          `Convoy worker ${worker.engine.workerId} processing`,
          `  store: ${worker.storeDescription}`,
          ...typeLines(worker.definitions),
        ].join('\n'),
      );
    });

  const output = { out, err };
  registerConvoyCommands(program, output);
  registerDiagramCommand(program, output);
  registerDeadLetterCommands(program, output);

  return program;
}
