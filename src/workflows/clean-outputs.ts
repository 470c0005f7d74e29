import { acquireDatasetLease } from '../catalog/dataset-lease.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import { requireDataset } from '../catalog/dataset.service.js';
import { findDatasetsSharingOutput, recordDeleteAllowed, type Datasource } from '../catalog/datasource.repository.js';
import { countOrphanedThumbnails, findThumbnailKeysInUse, forgetThumbnails, listOrphanedThumbnailsAfter } from '../catalog/thumbnail.repository.js';
import { AppError, describeError, isAppError } from '../errors.js';
import { thumbnailsPrefix } from '../media/thumbnail-key.js';
import { winnowPrefix } from '../model/location.js';
import { forEachConcurrently } from '../shared/concurrency.js';
import { openDatasetStores, outputDatasourceOf, type BoundStore } from './dataset-stores.js';
import type { WorkflowDeps } from './workflow-deps.js';

export type CleanOutputsDeps = Pick<WorkflowDeps, 'config' | 'database' | 'secretBox' | 'log' | 'clock' | 'access'>;

/** What became of the outputs (thumbnails) of samples that vanished from the bucket. */
export interface OutputCleanup {
  /** Deleted from `<output>/.winnow/` by this run. */
  deleted: number;
  /** Still in the bucket: the keys may not delete, or a delete failed. */
  left: number;
  /** Why some were left; null when none were. */
  reason: string | null;
  /** The command that deletes the ones left once delete is granted; null when none were left. */
  command: string | null;
}

const BATCH = 200;

/**
 * Deletes what Winnow wrote for removed samples (their thumbnails) and nothing else: only keys the
 * catalog recorded writing, only under `<output>/.winnow/thumbnails/`, never one that is the
 * thumbnail of a live sample of a dataset sharing the output. Unless `force`, it asks nothing of
 * keys already seen unable to delete; a denied delete stops it and is remembered.
 */
export async function deleteOrphanedOutputs(
  deps: CleanOutputsDeps,
  dataset: Dataset,
  output: { bound: BoundStore; datasource: Datasource },
  options: { force: boolean; renewLease?: () => Promise<void> },
): Promise<OutputCleanup> {
  const db = deps.database.db;
  const command = `winnow dataset clean-outputs ${dataset.name}`;
  let deleted = 0;
  const leftOver = async (reason: string): Promise<OutputCleanup> => {
    const { count } = await countOrphanedThumbnails(db, dataset.id, 0);
    return { deleted, left: count, reason: count > 0 ? reason : null, command: count > 0 ? command : null };
  };
  const deleteAction = output.bound.location.kind === 'azure' ? 'Delete Blob' : output.bound.location.kind === 'local' ? 'removing files' : 's3:DeleteObject';
  if (!options.force && output.datasource.deleteAllowed === false) {
    return leftOver(
      `the keys may not delete under ${output.bound.uri}.winnow/ (the delete light is off): grant ${deleteAction} on it, then run \`${command}\``,
    );
  }
  const folder = thumbnailsPrefix(winnowPrefix(output.bound.location));
  const sharing = await findDatasetsSharingOutput(db, dataset.id, output.bound.location);
  let afterSampleId = 0;
  let stop: unknown;
  for (;;) {
    const batch = await listOrphanedThumbnailsAfter(db, dataset.id, afterSampleId, BATCH);
    if (batch.length === 0) break;
    afterSampleId = batch.at(-1)!.sampleId;
    const inUse = await findThumbnailKeysInUse(
      db,
      sharing,
      batch.map((orphan) => orphan.key),
    );
    const done: number[] = [];
    await forEachConcurrently(
      batch,
      deps.config.probeConcurrency,
      async (orphan) => {
        // Written by Winnow under its thumbnails folder, so a delete never reaches a user's object; one still shown elsewhere is only forgotten.
        if (!orphan.key.startsWith(folder) || inUse.has(orphan.key)) return void done.push(orphan.sampleId);
        try {
          await output.bound.store.delete(orphan.key);
          done.push(orphan.sampleId);
          deleted++;
        } catch (error) {
          stop ??= error;
        }
      },
      () => stop !== undefined,
    );
    await forgetThumbnails(db, done);
    await options.renewLease?.();
    if (stop !== undefined) break;
  }
  if (stop === undefined) {
    if (deleted > 0 && output.datasource.deleteAllowed !== true) await recordDeleteAllowed(db, output.datasource.id, true);
    return { deleted, left: 0, reason: null, command: null };
  }
  if (isAppError(stop, 'DatasourceAccessDenied')) {
    await recordDeleteAllowed(db, output.datasource.id, false);
    deps.log.warn({ dataset: dataset.name }, 'outputs of removed samples left: delete denied');
    return leftOver(`deleting is denied (${stop.message}): grant ${deleteAction} under ${output.bound.uri}.winnow/, then run \`${command}\``);
  }
  deps.log.warn({ dataset: dataset.name, err: describeError(stop) }, 'outputs of removed samples left: a delete failed');
  return leftOver(`a delete failed (${describeError(stop)}); the next sync or \`${command}\` tries again`);
}

/** `winnow dataset clean-outputs`: deletes the outputs of removed samples now, whatever delete light was seen before. */
export async function cleanDatasetOutputs(deps: CleanOutputsDeps, datasetName: string): Promise<OutputCleanup & { dataset: string }> {
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  const stores = await openDatasetStores(deps, dataset.name, datasources);
  const datasource = outputDatasourceOf(datasources);
  if (datasource === undefined) throw new AppError('DatasetNotFound', `Dataset "${dataset.name}" has no output datasource.`);
  const lease = await acquireDatasetLease(deps.database.db, dataset.id, dataset.name, 'clean-outputs', deps.clock);
  try {
    return {
      dataset: dataset.name,
      ...(await deleteOrphanedOutputs(deps, dataset, { bound: stores.output, datasource }, { force: true, renewLease: lease.renew })),
    };
  } finally {
    await lease.release().catch(() => undefined);
  }
}
