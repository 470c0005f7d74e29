import type pg from 'pg';

export interface NoticeHandlers {
  onNotice(): void;
  /** Listening started, or stopped (with why, unless closed); notices sent in between are lost. */
  onListeningChanged(listening: boolean, error?: Error): void;
}

export interface NoticeListener {
  close(): Promise<void>;
}

const RECONNECT_DELAY_MS = 1_000;

/**
 * LISTENs on `channel` over a connection of its own (a pooled one would stop hearing notices
 * once returned), and reconnects a second after losing it, for as long as it is not closed.
 */
export function listenForNotices(connect: () => pg.Client, channel: string, handlers: NoticeHandlers): NoticeListener {
  let closed = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const lost = (client: pg.Client, error: Error) => {
    if (current !== client) return;
    current = undefined;
    handlers.onListeningChanged(false, error);
    client.end().catch(() => undefined);
    if (closed) return;
    retry = setTimeout(start, RECONNECT_DELAY_MS);
    retry.unref();
  };

  function start() {
    const client = connect();
    current = client;
    client.on('notification', (notice) => {
      if (notice.channel === channel) handlers.onNotice();
    });
    client.on('error', (error) => lost(client, error));
    client.on('end', () => lost(client, new Error('the connection ended')));
    client
      .connect()
      .then(() => client.query(`listen ${client.escapeIdentifier(channel)}`))
      .then(
        () => {
          if (current === client) handlers.onListeningChanged(true);
        },
        (error: Error) => lost(client, error),
      );
  }

  start();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const client = current;
      current = undefined;
      if (client === undefined) return;
      handlers.onListeningChanged(false);
      await client.end().catch(() => undefined);
    },
  };
}
