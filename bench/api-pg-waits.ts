/**
 * What the server's PostgreSQL connections are doing while wrk runs: pg_stat_activity sampled
 * every 50 ms, counted by wait event and statement. Shows lock waits and commit flushes that
 * a one-request-at-a-time measurement cannot.
 */
import pg from 'pg';

export interface WaitShare {
  /** `<wait event or CPU> <first words of the statement>` */
  what: string;
  /** Average number of server connections in this state at a sample. */
  connections: number;
}

export interface WaitSampler {
  stop(): Promise<{ samples: number; busy: WaitShare[] }>;
}

const SAMPLE_MS = 50;

export async function sampleWaits(databaseUrl: string): Promise<WaitSampler> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ what: string }>(
        `select coalesce(wait_event_type || ':' || wait_event, 'on CPU') || ' ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 38) as what
           from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state = 'active'`,
      );
      samples++;
      for (const row of rows) counts.set(row.what, (counts.get(row.what) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end();
      const busy = [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([what, count]) => ({ what, connections: count / Math.max(1, samples) }));
      return { samples, busy };
    },
  };
}
