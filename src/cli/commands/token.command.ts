import type { Command } from 'commander';
import { createApiToken, listSessions, listTokens, revokeApiToken } from '../../auth/token.service.js';
import type { CommandRunner } from '../command-runner.js';
import { formatTable, printJson } from '../render.js';

export function registerTokenCommands(program: Command, runner: CommandRunner): void {
  const token = program.command('token').description('API tokens for scripts and the web app sign-in');

  token
    .command('create <name>')
    .description('create an API token; it is printed once and stored only as a hash')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output, [name]) => {
        const created = await createApiToken(context, name!);
        if (options.json) return printJson(output, { ...created.view, token: created.token });
        output.out(created.token);
        output.err(`Token "${name}" created. Store it now: it cannot be shown again. Use it as \`Authorization: Bearer <token>\`.`);
      }),
    );

  token
    .command('list')
    .description('list API tokens and signed-in browser sessions (names, ids and dates only)')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output) => {
        const [tokens, sessions] = await Promise.all([listTokens(context), listSessions(context)]);
        if (options.json) return printJson(output, { tokens, sessions });
        output.out(formatTable([['NAME', 'CREATED', 'LAST USED'], ...tokens.map((t) => [t.name, t.createdAt, t.lastUsedAt ?? 'never'])]));
        output.out('');
        output.out(
          sessions.length === 0
            ? 'No browser is signed in.'
            : formatTable([
                ['SESSION', 'OPENED WITH', 'CREATED', 'EXPIRES'],
                ...sessions.map((s) => [s.id, s.token === null ? 'sign-in link' : `token ${s.token}`, s.createdAt, s.expiresAt]),
              ]),
        );
      }),
    );

  token
    .command('revoke <name>')
    .description('revoke an API token (and the browser sessions opened with it), a session by its id (session:…), or every session (session:all)')
    .action(
      runner.run<{ json?: boolean }>(async (context, _options, output, [name]) => {
        const revoked = await revokeApiToken(context, name!);
        output.out(revoked.revoked === 'token' ? `Revoked token "${name}".` : `Revoked ${revoked.count} browser session${revoked.count === 1 ? '' : 's'}.`);
      }),
    );
}
