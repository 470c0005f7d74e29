import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError } from '../../errors.js';
import { exportTag } from '../../workflows/export-tag.js';
import { findDuplicates } from '../../workflows/find-duplicates.js';
import { describeMetadata, fieldValues, importLightlyLayout, importMetadata } from '../../workflows/sample-metadata.js';
import { selectDatasetSamples } from '../../workflows/select-samples.js';
import { findSimilarToImage } from '../../workflows/similar-samples.js';
import { combineTags, createTagFromKeys, deleteTag, listTagViews, showTag, updateTagDetails } from '../../workflows/tags.js';
import type { ApiDeps } from '../api-deps.js';
import { BEARER, BODY_ERRORS, DATASET_ERRORS, errors, json, STORAGE_ERRORS } from '../openapi.js';
import {
  CreateTagSchema,
  DatasetNameParam,
  DuplicatesReportSchema,
  DuplicatesRequestSchema,
  FieldValuesSchema,
  MetadataFieldParam,
  MetadataFieldsSchema,
  MetadataImportReportSchema,
  MetadataImportSchema,
  SelectionReportSchema,
  SelectRequestSchema,
  SimilarImageSchema,
  SimilarQuerySchema,
  TagDetailsSchema,
  TagExportLocationSchema,
  TagExportQuerySchema,
  TagNameParam,
  TagSchema,
  UpdateTagSchema,
} from '../schemas.js';

const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
/** Image types a "similar to this image" upload may have. */
export const IMAGE_UPLOAD_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/tiff', 'image/bmp'];

/** Curation: selections, tags (and their exports), per-sample metadata, images similar to an upload. */
export function curationRoutes(deps: ApiDeps) {
  const { context } = deps;
  return new OpenAPIHono({ defaultHook: deps.validationHook })
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/selections',
        operationId: 'selectSamples',
        tags: ['curation'],
        summary: 'Pick samples by strategies combined with strengths (diversity, typicality, balance, similarity, weights, random), into a tag',
        security: BEARER,
        request: { params: DatasetNameParam, ...body(SelectRequestSchema) },
        responses: { 200: json(SelectionReportSchema, 'The picks, in order, each with its reasons'), ...errors(...DATASET_ERRORS, ...BODY_ERRORS, 409) },
      }),
      async (c) => c.json(await selectDatasetSamples(context, c.req.valid('param').name, c.req.valid('json')), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/duplicates',
        operationId: 'findDuplicates',
        tags: ['curation'],
        summary:
          'Exact copies and near-duplicates in groups, each with the one to keep (most pixels, then most bytes, then the first key); optionally tag the rest',
        security: BEARER,
        request: { params: DatasetNameParam, ...body(DuplicatesRequestSchema) },
        responses: {
          200: json(DuplicatesReportSchema, 'The groups, the kept key first in each'),
          ...errors(...DATASET_ERRORS, ...BODY_ERRORS, 409, ...STORAGE_ERRORS),
        },
      }),
      async (c) => c.json(await findDuplicates(context, c.req.valid('param').name, c.req.valid('json')), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/tags',
        operationId: 'listTags',
        tags: ['curation'],
        summary: "The dataset's tags with their sizes",
        security: BEARER,
        request: { params: DatasetNameParam },
        responses: { 200: json(z.strictObject({ tags: z.array(TagSchema) }).openapi('TagList'), 'Tags, by name'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => c.json({ tags: await listTagViews(context, c.req.valid('param').name) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/tags',
        operationId: 'createTag',
        tags: ['curation'],
        summary: 'A tag from a list of keys, or the union, intersection or difference of other tags',
        security: BEARER,
        request: { params: DatasetNameParam, ...body(CreateTagSchema) },
        responses: { 201: json(TagSchema, 'Created (or replaced, or extended)'), ...errors(...DATASET_ERRORS, ...BODY_ERRORS, 409) },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        const request = c.req.valid('json');
        if ((request.keys === undefined) === (request.combine === undefined)) throw new AppError('InputInvalid', 'Give either keys or combine.');
        const tag = request.keys
          ? await createTagFromKeys(context, name, {
              name: request.name,
              description: request.description,
              keysText: request.keys.join('\n'),
              source: 'the keys',
              mode: request.mode,
            })
          : await combineTags(context, name, {
              name: request.name,
              operation: request.combine!.operation,
              of: request.combine!.of,
              description: request.description,
              mode: request.mode,
            });
        return c.json(tag, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/tags/{tag}',
        operationId: 'getTag',
        tags: ['curation'],
        summary: "A tag and its samples' keys, in the order they were chosen",
        security: BEARER,
        request: { params: TagNameParam },
        responses: { 200: json(TagDetailsSchema, 'The tag'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => {
        const { name, tag } = c.req.valid('param');
        return c.json(await showTag(context, name, tag), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/datasets/{name}/tags/{tag}',
        operationId: 'updateTag',
        tags: ['curation'],
        summary: 'Rename a tag or change its description',
        security: BEARER,
        request: { params: TagNameParam, ...body(UpdateTagSchema) },
        responses: { 200: json(TagSchema, 'The tag as it now is'), ...errors(...DATASET_ERRORS, ...BODY_ERRORS, 409) },
      }),
      async (c) => {
        const { name, tag } = c.req.valid('param');
        return c.json(await updateTagDetails(context, name, tag, c.req.valid('json')), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/datasets/{name}/tags/{tag}',
        operationId: 'deleteTag',
        tags: ['curation'],
        summary: 'Delete a tag (its samples stay in the dataset)',
        security: BEARER,
        request: { params: TagNameParam },
        responses: { 204: { description: 'Deleted' }, ...errors(...DATASET_ERRORS) },
      }),
      async (c) => {
        const { name, tag } = c.req.valid('param');
        await deleteTag(context, name, tag);
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/tags/{tag}/export',
        operationId: 'exportTag',
        tags: ['curation'],
        summary: 'The tag as a file: txt (one key per line), json or csv (with size, dimensions and, when asked, URLs)',
        security: BEARER,
        request: { params: TagNameParam, query: TagExportQuerySchema.omit({ toOutput: true }) },
        responses: {
          200: {
            description: 'The file',
            content: {
              'text/plain': { schema: z.string() },
              'text/csv': { schema: z.string() },
              'application/json': {
                schema: z
                  .record(z.string(), z.unknown())
                  .openapi({ description: 'dataset, tag, description, exportedAt, count and samples: [{ key, size, width, height, url? }]' }),
              },
            },
          },
          ...errors(...DATASET_ERRORS, ...STORAGE_ERRORS),
        },
      }),
      async (c) => {
        const { name, tag } = c.req.valid('param');
        const query = c.req.valid('query');
        const exported = await exportTag(context, name, tag, { format: query.format, urls: query.urls === 'true', toOutput: false });
        return c.body(exported.text!, 200, {
          'content-type': exported.contentType,
          'content-disposition': `attachment; filename="${tag}.${query.format}"`,
        }) as never;
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/tags/{tag}/export',
        operationId: 'exportTagToOutput',
        tags: ['curation'],
        summary: 'Write the tag as a file under <output>/.winnow/exports/ in the bucket',
        security: BEARER,
        request: { params: TagNameParam, query: TagExportQuerySchema.omit({ toOutput: true }) },
        responses: { 201: json(TagExportLocationSchema, 'Where it was written'), ...errors(...DATASET_ERRORS, ...STORAGE_ERRORS) },
      }),
      async (c) => {
        const { name, tag } = c.req.valid('param');
        const query = c.req.valid('query');
        const exported = await exportTag(context, name, tag, { format: query.format, urls: query.urls === 'true', toOutput: true });
        return c.json({ location: exported.location!, count: exported.count }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/metadata',
        operationId: 'listMetadataFields',
        tags: ['curation'],
        summary: 'The metadata fields and labels the samples have',
        security: BEARER,
        request: { params: DatasetNameParam },
        responses: { 200: json(MetadataFieldsSchema, 'Fields, with how many samples hold a number or a text'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => c.json({ fields: await describeMetadata(context, c.req.valid('param').name) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/metadata/{field}',
        operationId: 'getFieldValues',
        tags: ['curation'],
        summary: "One metadata field's value for every sample that has it (the map colours by it)",
        security: BEARER,
        request: { params: MetadataFieldParam },
        responses: { 200: json(FieldValuesSchema, 'Keys and values, in key order'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => {
        const { name, field } = c.req.valid('param');
        return c.json(await fieldValues(context, name, field), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/metadata',
        operationId: 'importMetadata',
        tags: ['curation'],
        summary: 'Import per-sample fields from CSV or JSON (line-numbered problems; all or nothing)',
        security: BEARER,
        request: { params: DatasetNameParam, ...body(MetadataImportSchema) },
        responses: { 200: json(MetadataImportReportSchema, 'What was stored'), ...errors(...DATASET_ERRORS, ...BODY_ERRORS) },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        const { format, text } = c.req.valid('json');
        return c.json(await importMetadata(context, name, { format, text, source: `the ${format.toUpperCase()}` }), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/metadata/lightly',
        operationId: 'importLightlyMetadata',
        tags: ['curation'],
        summary: "Read Lightly's .lightly/ folder beside the images as metadata and labels (read-only)",
        security: BEARER,
        request: { params: DatasetNameParam },
        responses: { 200: json(MetadataImportReportSchema, 'What was stored'), ...errors(...DATASET_ERRORS, ...STORAGE_ERRORS) },
      }),
      async (c) => c.json(await importLightlyLayout(context, c.req.valid('param').name), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/similar',
        operationId: 'findSimilarToImage',
        tags: ['curation'],
        summary: "The samples most like an uploaded image (embedded with the dataset's model), nearest first",
        security: BEARER,
        request: {
          params: DatasetNameParam,
          query: SimilarQuerySchema,
          body: { content: Object.fromEntries(IMAGE_UPLOAD_TYPES.map((type) => [type, { schema: z.string().openapi({ format: 'binary' }) }])), required: true },
        },
        responses: { 200: json(SimilarImageSchema, 'Nearest first'), ...errors(...DATASET_ERRORS, 413, 415, 422) },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        const { k, model } = c.req.valid('query');
        const image = Buffer.from(await c.req.arrayBuffer());
        return c.json(await findSimilarToImage(context, name, image, { k, model }), 200);
      },
    );
}
