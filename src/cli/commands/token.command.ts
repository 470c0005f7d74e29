import type { Command } from 'commander';
import { createApiToken, listTokens, revokeApiToken } from '../../auth/token.service.js';
import type { CommandRunner } from '../main.js';
import { formatTable, printJson } from '../render.js';

export function registerTokenCommands(program: Command, runner: CommandRunner): void {
  const token = program.command('token').description('API tokens for scripts and the web app sign-in');

  token
    .command('create <name>')
    .description('create an API token; it is printed once and stored only as a hash')
    .option('--json', 'print JSON')
    .action(runner.run<{ json?: boolean }>(async (context, options, output, [name]) => {
      const created = await createApiToken(context, name!);
      if (options.json) return printJson(output, { ...created.view, token: created.token });
      output.out(created.token);
      output.err(`Token "${name}" created. Store it now: it cannot be shown again. Use it as \`Authorization: Bearer <token>\`.`);
    }));

  token
    .command('list')
    .description('list API tokens (names and dates only)')
    .option('--json', 'print JSON')
    .action(runner.run<{ json?: boolean }>(async (context, options, output) => {
      const tokens = await listTokens(context);
      if (options.json) return printJson(output, tokens);
      output.out(formatTable([['NAME', 'CREATED', 'LAST USED'], ...tokens.map((t) => [t.name, t.createdAt, t.lastUsedAt ?? 'never'])]));
    }));

  token
    .command('revoke <name>')
    .description('revoke an API token')
    .action(runner.run<{ json?: boolean }>(async (context, _options, output, [name]) => {
      await revokeApiToken(context, name!);
      output.out(`Revoked token "${name}".`);
    }));
}
