/**
 * Hostile input, property-based: whatever a user or a script sends, every parser and every API route gives a
 * result or a clear refusal (an AppError that exits 2, an HTTP 4xx), never a crash, a 500 or a hang. The hang
 * is caught by each test's deadline (vitest's timeout), not by timing a run.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyFilter, parseRelevantFilenames, validateGlobs } from '../src/datasources/key-filter.js';
import { parseNpy } from '../src/embeddings/npy.js';
import { parseVectorCsv } from '../src/embeddings/vector-csv.js';
import { ERROR_OUTCOMES, isAppError } from '../src/errors.js';
import { normalizePrefix, parseLocation } from '../src/model/location.js';
import { checkPolicy } from '../src/policy/check-policy.js';
import { parseMetadataCsv, parseMetadataJson } from '../src/workflows/sample-metadata.js';
import { createTestApi, type TestApi } from './support/api.js';

const RUNS = { numRuns: 300 };

/** The refusal a user may get for bad input: an AppError whose exit status is 2 (the CLI's "bad input"). */
function expectUserError(error: unknown): void {
  if (!isAppError(error)) throw error;
  expect(ERROR_OUTCOMES[error.code].exit, `${error.code}: ${error.message}`).toBe(2);
  expect(error.message.length).toBeLessThan(10_000);
}

function resultOrUserError<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    expectUserError(error);
    return undefined;
  }
}

/** Strings a hostile user would try: anything, plus things shaped like the format with odd characters inside. */
const anyText = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 }));
const uriLike = fc
  .tuple(fc.constantFrom('s3://', 'gs://', 'azure://', 'file://', 'S3:', 's3:/', 'http://', '', '/', './'), anyText)
  .map(([scheme, rest]) => `${scheme}${rest}`);
const wildcardPattern = fc
  .array(fc.constantFrom('*', '?', 'a', 'r', 's', '/', '-', 'projects/', 'farm-animals/', '*?', '?*', '${aws:username}', '.'), { maxLength: 80 })
  .map((parts) => parts.join(''));

describe('hostile input to the parsers', () => {
  it('parses any location or refuses it as bad input; a prefix is empty or one folder path ending in /', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, uriLike), (uri) => {
        const location = resultOrUserError(() => parseLocation(uri));
        if (location !== undefined && location.kind !== 'local') {
          expect(location.prefix === '' || (location.prefix.endsWith('/') && !location.prefix.startsWith('/'))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('normalises any prefix to one that ends in / and is stable', () => {
    fc.assert(
      fc.property(anyText, (prefix) => {
        const normal = normalizePrefix(prefix);
        expect(normal === '' || normal.endsWith('/')).toBe(true);
        expect(normalizePrefix(normal)).toBe(normal);
      }),
      RUNS,
    );
  });

  it("takes any globs or refuses them up front, and then sorts any key into one verdict, never indexing Winnow's own folder", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(anyText, wildcardPattern), { maxLength: 5 }),
        fc.array(anyText, { maxLength: 3 }),
        fc.array(anyText, { maxLength: 20 }),
        (include, exclude, keys) => {
          const valid = resultOrUserError(() => {
            validateGlobs(include, '--include');
            validateGlobs(exclude, '--exclude');
            return true;
          });
          if (!valid) return;
          const filter = createKeyFilter({ include, exclude, ownPrefixes: [] });
          for (const key of [...keys, ...keys.map((key) => `.winnow/${key}.jpg`), ...keys.map((key) => `${key}/`)]) {
            const verdict = filter(key);
            if (key.startsWith('.winnow/') && !key.endsWith('/')) expect(verdict).toBe('winnow-output');
            if (key.endsWith('/') || key === '') expect(verdict).toBe('folder-marker');
          }
        },
      ),
      RUNS,
    );
  });

  it('reads any relevant-filenames list or names its bad lines; what it keeps is relative, without .., never a folder', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyText, fc.constantFrom('/abs.jpg', '../up.jpg', 'dir/', '# comment', './a.jpg', '\r')), { maxLength: 30 }), (lines) => {
        const keys = resultOrUserError(() => parseRelevantFilenames(lines.join('\n'), 'relevant.txt', parseLocation('s3://datalake/projects/farm-animals/')));
        for (const key of keys?.keys() ?? []) {
          expect(key.startsWith('/') || key.endsWith('/') || key.split('/').includes('..')).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('parses any embeddings CSV into vectors of one width, or lists at most 20 problems with their lines', () => {
    const csvLike = fc
      .array(
        fc.array(fc.oneof(anyText, fc.double().map(String), fc.constantFrom('filenames', 'embedding_0', 'embedding_1', 'labels', '"', '""', 'NaN')), {
          maxLength: 5,
        }),
        {
          maxLength: 10,
        },
      )
      .map((rows) => rows.map((row) => row.join(',')).join('\n'));
    fc.assert(
      fc.property(fc.oneof(anyText, csvLike), (text) => {
        const parsed = parseVectorCsv(text);
        if (!parsed.ok) {
          expect(parsed.problems.length).toBeGreaterThan(0);
          expect(parsed.problems.length).toBeLessThanOrEqual(20);
          return;
        }
        expect(parsed.table.values.length).toBe(parsed.table.filenames.length * parsed.table.dimensions);
        expect(parsed.table.values.every(Number.isFinite)).toBe(true);
      }),
      RUNS,
    );
  });

  it('reads any .npy bytes or says what is wrong with them (the caller names the file), never crashing on them', () => {
    const npyLike = fc
      .tuple(fc.constantFrom('\x93NUMPY\x01\x00', '\x93NUMPY\x02\x00', '\x93NUMPY', ''), anyText)
      .map(([magic, rest]) => new Uint8Array(Buffer.from(`${magic}${rest}`, 'latin1')));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), npyLike), (bytes) => {
        try {
          const matrix = parseNpy(bytes);
          expect(matrix.values.length).toBe(matrix.rows * matrix.columns);
        } catch (error) {
          // A plain Error with a message, not a TypeError or RangeError from reading past the bytes.
          expect((error as Error).constructor).toBe(Error);
          expect((error as Error).message).not.toBe('');
        }
      }),
      RUNS,
    );
  });

  it('reads any metadata CSV or JSON, or refuses it as bad input', () => {
    fc.assert(
      fc.property(anyText, fc.jsonValue({ maxDepth: 4 }), (text, json) => {
        resultOrUserError(() => parseMetadataCsv(text, 'metadata.csv'));
        resultOrUserError(() => parseMetadataJson(text, 'metadata.json'));
        resultOrUserError(() => parseMetadataJson(JSON.stringify(json), 'metadata.json'));
      }),
      RUNS,
    );
  });

  // Each of these took minutes or overflowed the stack before; the test's deadline is the bound.
  it('refuses objects nested past 16 levels and reads a file of 20,000 entries or 20,000 columns in linear time', () => {
    const deep = `{"a.jpg": ${'{"x":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    expect(() => parseMetadataJson(deep, 'deep.json')).toThrow(/nests objects deeper than 16 levels/);
    const entries = Object.fromEntries(Array.from({ length: 20_000 }, (_, index) => [`dir/img-${index}.jpg`, { label: 'cow', score: index }]));
    const rows = parseMetadataJson(JSON.stringify(entries, null, 1), 'many.json');
    expect(rows).toHaveLength(20_000);
    expect(rows[19_999]).toMatchObject({ key: 'dir/img-19999.jpg', line: 1 + 19_999 * 4 + 1 });
    const columns = Array.from({ length: 20_000 }, (_, index) => `field${index}`);
    const wide = parseMetadataCsv(`filename,${columns.join(',')}\na.jpg,${columns.map((_, index) => index).join(',')}\n`, 'wide.csv');
    expect(wide[0]!.values.size).toBe(20_000);
    expect(() => parseMetadataCsv(`filename,${columns.join(',')},field7\na.jpg\n`, 'twice.csv')).toThrow(/column "field7" appears twice/);
  }, 20_000);
});

describe('hostile IAM policies', () => {
  const target = { input: parseLocation('s3://datalake/projects/farm-animals/') };

  it('checks any JSON value or text as a policy without throwing: unreadable ones are findings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 6 }), anyText), async (policy) => {
        const check = await checkPolicy(policy, target);
        expect(Array.isArray(check.findings)).toBe(true);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('evaluates wildcard patterns in resources and conditions in bounded time, "*?" x 36 included', async () => {
    const policyWith = (pattern: string) => ({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::datalake', Condition: { StringLike: { 's3:prefix': [pattern] } } },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::datalake/${pattern}` },
      ],
    });
    const pathological = await checkPolicy(JSON.stringify(policyWith('*?'.repeat(36))), target);
    expect(pathological.checks.list.ok).toBe(false);
    const granted = await checkPolicy(JSON.stringify(policyWith(`projects/farm-animals/${'*?'.repeat(6)}*`)), target);
    expect(granted.checks.read.ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(wildcardPattern, async (pattern) => {
        const check = await checkPolicy(JSON.stringify(policyWith(pattern)), target);
        expect(Array.isArray(check.findings)).toBe(true);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe('hostile requests to every API route', () => {
  let api: TestApi;
  let folder: string;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-hostile-'));
    for (const name of ['chelsea.jpg', 'coffee.jpg', 'rocket.jpg']) cpSync(resolve(import.meta.dirname, 'fixtures/photos', name), join(folder, name));
    api = await createTestApi({ WINNOW_LOCAL_ROOTS: folder });
    expect((await api.request('/api/datasets', { method: 'POST', body: JSON.stringify({ name: 'photos', input: { uri: folder } }) })).status).toBe(201);
    api.jobs.start('photos');
    await api.jobs.settled('photos');
    expect((await api.jobs.latest('photos'))?.status).toBe('completed');
  });
  afterAll(async () => {
    await api?.context.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  const ROUTES: Array<[string, string]> = [
    ['POST', '/api/datasets'],
    ['POST', '/api/datasets/{name}/verify'],
    ['POST', '/api/datasets/{name}/sync'],
    ['POST', '/api/datasets/{name}/selections'],
    ['POST', '/api/datasets/{name}/tags'],
    ['PATCH', '/api/datasets/{name}/tags/{tag}'],
    ['POST', '/api/datasets/{name}/tags/{tag}/export'],
    ['POST', '/api/datasets/{name}/metadata'],
    ['POST', '/api/datasets/{name}/metadata/lightly'],
    ['POST', '/api/datasets/{name}/similar'],
    ['POST', '/api/datasets/{name}/embeddings'],
    ['POST', '/api/session'],
    ['GET', '/api/datasets/{name}/samples'],
    ['GET', '/api/datasets/{name}/sample'],
    ['GET', '/api/datasets/{name}/embeddings/{tag}/map'],
    ['GET', '/api/datasets/{name}/embeddings/{tag}/neighbours'],
    ['GET', '/api/datasets/{name}/tags/{tag}/export'],
    ['DELETE', '/api/datasets/{name}/tags/{tag}'],
  ];
  const segment = fc
    .oneof(anyText, fc.constantFrom('photos', '%', '%zz', '..', '%2e%2e', 'a/b', ''))
    .map((text) => encodeURIComponent(text).replace(/%25zz/, '%zz'));
  const query = fc.dictionary(fc.constantFrom('limit', 'cursor', 'key', 'sort', 'extension', 'folder', 'format', 'urls', 'k', 'n', 'model', 'seed'), anyText, {
    maxKeys: 4,
  });
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 5 }).map((value) => JSON.stringify(value)),
    anyText,
  );

  it('answers any path, query and body with a 2xx or a 4xx carrying the error schema, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), segment, segment, query, body, async ([method, template], name, tag, params, payload) => {
        const path = template.replace('{name}', name || 'photos').replace('{tag}', tag || 'x');
        const search = new URLSearchParams(params).toString();
        const response = await api.request(`${path}${search ? `?${search}` : ''}`, {
          method,
          body: method === 'GET' || method === 'DELETE' ? undefined : payload,
        });
        const text = await response.text();
        expect(response.status, `${method} ${path} → ${text.slice(0, 300)}`).toBeLessThan(500);
        if (response.status >= 400 && response.headers.get('content-type')?.includes('json')) {
          expect(JSON.parse(text)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
        }
      }),
      { numRuns: 400 },
    );
  }, 300_000);
});
