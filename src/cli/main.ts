import { Command, CommanderError, Option } from 'commander';
import { applyProcessDefaults, loadConfig, type ConfigFlags } from '../config/config.js';
import { createContext, type Context } from '../context.js';
import type { CommandRunner } from './command-runner.js';
import { registerCurationCommands } from './commands/curation.command.js';
import { registerDatasetCommands } from './commands/dataset.command.js';
import { registerDatasourceCommands } from './commands/datasource.command.js';
import { registerEmbeddingCommands } from './commands/embeddings.command.js';
import { registerModelCommands } from './commands/model.command.js';
import { registerPolicyCommands } from './commands/policy.command.js';
import { registerSampleCommands } from './commands/samples.command.js';
import { registerThumbnailCommands } from './commands/thumbnails.command.js';
import { registerServeCommand } from './commands/serve.command.js';
import { registerTokenCommands } from './commands/token.command.js';
import { registerWorkerCommand } from './commands/worker.command.js';
import { registerJobCommands } from './commands/jobs.command.js';
import { exitCodeFor, processOutput, renderError, type Output } from './render.js';

export interface GlobalOptions {
  home?: string;
  databaseUrl?: string;
  config?: string;
  logLevel?: string;
  probeConcurrency?: string;
  host?: string;
  port?: string;
  urlTtl?: string;
  localRoots?: string;
  allowedHosts?: string;
}

export async function main(argv: string[], output: Output = processOutput): Promise<number> {
  applyProcessDefaults();
  let exitCode = 0;
  const program = new Command('winnow')
    .description('Curate image datasets that live in your own bucket.')
    .version('0.1.0')
    .option('--home <dir>', 'folder for the catalog and master key (env WINNOW_HOME, default ~/.winnow)')
    .option('--database-url <url>', 'postgres:// URL to use PostgreSQL instead of SQLite (env WINNOW_DATABASE_URL)')
    .option('--config <file>', 'JSON config file (env WINNOW_CONFIG, default <home>/config.json)')
    .addOption(
      new Option('--log-level <level>', 'log level on stderr (env WINNOW_LOG_LEVEL)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    )
    .option('--probe-concurrency <n>', 'concurrent header reads during sync (env WINNOW_PROBE_CONCURRENCY, default 16)')
    .option('--host <host>', 'serve: address to listen on (env WINNOW_HOST, default 127.0.0.1)')
    .option('--port <port>', 'serve: port (env WINNOW_PORT, default 8080)')
    .option('--url-ttl <seconds>', 'serve: presigned URL lifetime (env WINNOW_URL_TTL_SECONDS, default 900)')
    .option('--local-roots <dirs>', 'serve: folders API users may add as local datasets, :-separated (env WINNOW_LOCAL_ROOTS, default none)')
    .option('--allowed-hosts <names>', 'serve: host names it answers to besides its own, ,-separated (env WINNOW_ALLOWED_HOSTS)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) })
    .showHelpAfterError('(run with --help for usage)');

  const runner: CommandRunner = {
    run:
      (action) =>
      async (...commanderArgs) => {
        // Commander calls actions with the positional arguments, then the options, then the command.
        const command = commanderArgs.at(-1) as Command;
        const options = commanderArgs.at(-2) as Parameters<typeof action>[1];
        const args = commanderArgs.slice(0, -2) as string[];
        const globals = command.optsWithGlobals<GlobalOptions>();
        let context: Context | undefined;
        try {
          const flags: ConfigFlags = {
            home: globals.home,
            databaseUrl: globals.databaseUrl,
            configFile: globals.config,
            logLevel: globals.logLevel,
            probeConcurrency: globals.probeConcurrency,
            serveHost: globals.host,
            servePort: globals.port,
            urlTtlSeconds: globals.urlTtl,
            localRoots: globals.localRoots,
            allowedHosts: globals.allowedHosts,
          };
          context = await createContext(loadConfig(flags));
          const status = await action(context, options, output, args);
          exitCode = typeof status === 'number' ? status : 0;
        } catch (error) {
          renderError(output, error, options.json === true);
          exitCode = exitCodeFor(error);
        } finally {
          await context?.close();
        }
      },
    runStandalone:
      (action) =>
      async (...commanderArgs) => {
        const options = commanderArgs.at(-2) as Parameters<typeof action>[0];
        try {
          const status = await action(options, output, commanderArgs.slice(0, -2) as string[]);
          exitCode = typeof status === 'number' ? status : 0;
        } catch (error) {
          renderError(output, error, options.json === true);
          exitCode = exitCodeFor(error);
        }
      },
  };

  registerDatasetCommands(program, runner);
  registerDatasourceCommands(program, runner);
  registerSampleCommands(program, runner);
  registerThumbnailCommands(program, runner);
  registerServeCommand(program, runner);
  registerWorkerCommand(program, runner);
  registerJobCommands(program, runner);
  registerTokenCommands(program, runner);
  registerPolicyCommands(program, runner);
  registerModelCommands(program, runner);
  registerEmbeddingCommands(program, runner);
  registerCurationCommands(program, runner);

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    renderError(output, error, false);
    return 1;
  }
  return exitCode;
}
