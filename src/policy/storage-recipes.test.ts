import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { parseLocation } from '../model/location.js';
import { azureRecipe, gcsRecipe, keyScopeRecipe } from './storage-recipes.js';

const azure = parseLocation('azure://acct/images/farm/');

describe('azureRecipe', () => {
  it('gives rl for the input and cwd for <output>/.winnow/, with roles conditioned on the folders', () => {
    const recipe = azureRecipe({ input: azure, write: true, delete: true });
    expect(recipe.sas).toEqual([
      expect.objectContaining({ for: 'input', location: 'azure://acct/images/farm/', permissions: 'rl' }),
      expect.objectContaining({ for: 'output', location: 'azure://acct/images/farm/.winnow/', permissions: 'cwd' }),
    ]);
    expect(recipe.summary).toContain('or one token with "rcwdl" for both');
    const [reader, writer] = recipe.rbac as Array<{ role: string; scope: string; condition: string }>;
    expect(reader).toMatchObject({
      role: 'Storage Blob Data Reader',
      scope:
        '/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Storage/storageAccounts/acct/blobServices/default/containers/images',
    });
    expect(reader!.condition).toContain("@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith 'farm/'");
    expect(reader!.condition).toContain("@Request[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:prefix] StringStartsWith 'farm/'");
    expect(writer).toMatchObject({ role: 'Storage Blob Data Contributor' });
    expect(writer!.condition).toContain("StringStartsWith 'farm/.winnow/'");
    expect(recipe.lights).toEqual({ list: true, read: true, write: true, overwrite: true, delete: true });
  });

  it('gives l alone for list-only, and no output token without writes', () => {
    const recipe = azureRecipe({ input: azure, write: false, delete: false, read: false });
    expect(recipe.sas).toEqual([expect.objectContaining({ permissions: 'l' })]);
    expect((recipe.rbac as unknown[]).length).toBe(1);
    expect(recipe.lights).toMatchObject({ read: false, write: false });
  });
});

describe('gcsRecipe', () => {
  it('binds custom roles with IAM conditions on the object names and the list prefix', () => {
    const recipe = gcsRecipe({ input: parseLocation('gs://photos/farm/'), output: parseLocation('gs://results/winnow/'), write: true, delete: false });
    const [reader, writer] = recipe.bindings as Array<{ bucket: string; condition: { expression: string } }>;
    expect(reader).toMatchObject({ bucket: 'gs://photos' });
    expect(reader!.condition.expression).toBe(
      "resource.name.startsWith('projects/_/buckets/photos/objects/farm/') || api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('farm/')",
    );
    expect(writer).toMatchObject({
      bucket: 'gs://results',
      condition: { expression: "resource.name.startsWith('projects/_/buckets/results/objects/winnow/.winnow/')" },
    });
    expect(recipe.roles).toEqual([
      { id: 'winnowReader', permissions: ['storage.objects.list', 'storage.objects.get'] },
      { id: 'winnowWriter', permissions: ['storage.objects.create', 'storage.objects.delete'] },
    ]);
    expect((recipe.notes as string[]).join(' ')).toContain('storage.objects.delete is included with --write');
  });
});

describe('keyScopeRecipe', () => {
  it('scopes a B2 key to the bucket and the folder', () => {
    const recipe = keyScopeRecipe('b2', { input: parseLocation('s3://photos/farm/'), write: true, delete: true });
    expect(recipe.applicationKey).toEqual({ bucket: 'photos', namePrefix: 'farm/', capabilities: ['listFiles', 'readFiles', 'writeFiles', 'deleteFiles'] });
  });

  it('says an R2 token reaches whole buckets', () => {
    const recipe = keyScopeRecipe('r2', { input: parseLocation('s3://photos/farm/'), write: false, delete: false });
    expect(recipe.token).toEqual({ permissions: 'Object Read only', buckets: ['photos'] });
    expect((recipe.notes as string[]).join(' ')).toContain('scoped to buckets, not to folders');
  });
});

it('refuses a recipe across two kinds of store', () => {
  let caught: unknown;
  try {
    azureRecipe({ input: azure, output: parseLocation('s3://photos/out/'), write: true, delete: false });
  } catch (error) {
    caught = error;
  }
  expect(isAppError(caught, 'LocationInvalid')).toBe(true);
});
