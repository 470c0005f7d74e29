/**
 * `npm run bench:duplicates`: calibration of the default thresholds on real photos
 * (duplicates-calibration.ts), and near-duplicate grouping time over 100,000 vectors.
 *
 *   npm run bench:duplicates                          # both
 *   npm run bench:duplicates -- --only calibration    # or --only grouping; --reuse: the last run's vectors
 */
import { calibrate } from './duplicates-calibration.js';
import { benchGrouping } from './duplicates-grouping.js';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && only !== 'calibration' && only !== 'grouping') throw new Error('--only takes calibration or grouping');
if (only !== 'grouping') await calibrate(process.argv.includes('--reuse'));
if (only !== 'calibration') await benchGrouping();
