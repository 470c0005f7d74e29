import { countRelevantKeys, findRepeatedRelevantKeys, findUnmatchedRelevantKeys } from '../catalog/relevant-key.repository.js';
import type { KeyGroup, RelevantFilenamesSummary } from '../catalog/sync-state.repository.js';
import type { Executor } from '../db/executor.js';
import { classifyUnmatchedRelevantKey, type KeyVerdict } from '../datasources/key-filter.js';

/** Every key of the relevant-filenames list that did not become a sample, by reason, in key order. */
export interface RelevantFilenamesReport {
  listed: number;
  missing: string[];
  outside: string[];
  repeated: string[];
  skipped: string[];
}

export const NO_RELEVANT_PROBLEMS: RelevantFilenamesReport = { listed: 0, missing: [], outside: [], repeated: [], skipped: [] };

/**
 * Compares the dataset's list with its live samples once a listing is complete.
 * `filter` is the dataset's key filter without the list, which tells a skipped key from a missing one.
 */
export async function checkRelevantFilenames(
  db: Executor,
  datasetId: string,
  inputPrefix: string,
  filter: (relativeKey: string) => KeyVerdict,
): Promise<RelevantFilenamesReport> {
  const [listed, unmatched, repeated] = await Promise.all([
    countRelevantKeys(db, datasetId),
    findUnmatchedRelevantKeys(db, datasetId),
    findRepeatedRelevantKeys(db, datasetId),
  ]);
  const report: RelevantFilenamesReport = { listed, missing: [], outside: [], repeated, skipped: [] };
  for (const key of unmatched) report[classifyUnmatchedRelevantKey(key, inputPrefix, filter)].push(key);
  return report;
}

/** Counts and the first `first` keys of each group, as the dataset view keeps them. */
export function summarizeRelevantFilenames(report: RelevantFilenamesReport, first = 20): RelevantFilenamesSummary {
  const group = (keys: string[]): KeyGroup => ({ count: keys.length, first: keys.slice(0, first) });
  return {
    listed: report.listed,
    missing: group(report.missing),
    outside: group(report.outside),
    repeated: group(report.repeated),
    skipped: group(report.skipped),
  };
}
