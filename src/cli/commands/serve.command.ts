import type { Command } from 'commander';
import { startServer } from '../../api/server.js';
import type { CommandRunner } from '../command-runner.js';

export function registerServeCommand(program: Command, runner: CommandRunner): void {
  program
    .command('serve')
    .description('run the web app and REST API (default http://127.0.0.1:8080; --host, --port, --url-ttl are global options)')
    .option('--no-worker', 'PostgreSQL: leave queued jobs to `winnow worker` processes instead of also running them here')
    .action(
      runner.run<{ worker: boolean; json?: boolean }>(async (context, options, output) => {
        const server = await startServer(context, { worker: options.worker });
        if (server.exposureWarning) output.err(`warning: ${server.exposureWarning}`);
        output.out(`Winnow is running at ${server.url}${server.servesWebApp ? '' : ' (API only: the web app is not built; run `npm run build`)'}`);
        output.out(`Open this link to sign in (it works once):\n\n    ${server.signInUrl}\n`);
        output.out(`API docs: ${server.url}/api/docs   (API clients: winnow token create <name>)`);
        await new Promise<void>((resolveStop) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolveStop());
        });
        output.err('Stopping…');
        await server.close();
      }),
    );
}
