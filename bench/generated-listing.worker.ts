import { parentPort, workerData } from 'node:worker_threads';
import { serveGeneratedListing, type GeneratedListingOptions } from './generated-listing.js';

/** The thread that answers for `startGeneratedListing`: says its port once it listens, then serves until terminated. */
const { options, requestCount } = workerData as { options: GeneratedListingOptions; requestCount: Int32Array };
parentPort!.postMessage(await serveGeneratedListing(options, requestCount));
