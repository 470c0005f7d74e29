import type { DatasetDetails } from '../api.js';
import { formatCount } from '../format.js';

type Summary = NonNullable<DatasetDetails['relevantFilenames']>;

const GROUPS: Array<[keyof Omit<Summary, 'listed'>, string]> = [
  ['missing', 'not found in the bucket'],
  ['outside', 'outside the input location, never indexed'],
  ['repeated', 'listed more than once'],
  ['skipped', 'dropped by the dataset filters (not an image, excluded, or under .winnow/)'],
];

/** What the last sync found wrong with the dataset's relevant-filenames list; nothing when all is well. */
export function RelevantFilenamesNotice({ summary }: { summary: DatasetDetails['relevantFilenames'] }) {
  if (summary === null) return null;
  const problems = GROUPS.filter(([group]) => summary[group].count > 0);
  if (problems.length === 0) return null;
  return (
    <div className="notice relevant-filenames-notice" role="status">
      <strong>Relevant filenames ({formatCount(summary.listed)} listed):</strong>
      <ul>
        {problems.map(([group, what]) => (
          <li key={group} data-group={group}>
            {formatCount(summary[group].count)} {what}: {summary[group].first.slice(0, 5).join(', ')}
            {summary[group].count > 5 ? ', …' : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}
