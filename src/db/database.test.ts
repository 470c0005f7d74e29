import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';

describe('SQLite catalog statements', () => {
  let catalog: TestDatabase;
  beforeEach(async () => {
    catalog = await createTestDatabase('sqlite');
  });
  afterEach(() => catalog.drop());

  const tokens = () => catalog.database.db.selectFrom('api_tokens').select('name').orderBy('name');
  const addToken = (name: string) =>
    catalog.database.db.insertInto('api_tokens').values({ id: name, name, token_hash: `hash-${name}`, created_at: '2026-12-02T00:00:00.000Z', last_used_at: null }).execute();

  it('answer a query run again with what the catalog holds now, not what it held when first run', async () => {
    await addToken('a');
    expect(await tokens().execute()).toEqual([{ name: 'a' }]);
    await addToken('b');
    expect(await tokens().execute()).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('run a query again after a stream of it was left halfway', async () => {
    for (const name of ['a', 'b', 'c']) await addToken(name);
    for await (const row of tokens().stream()) {
      expect(row.name).toBe('a');
      break;
    }
    const streamed: string[] = [];
    for await (const row of tokens().stream()) streamed.push(row.name);
    expect(streamed).toEqual(['a', 'b', 'c']);
    expect(await tokens().execute()).toHaveLength(3);
  });
});
