import type { Location } from '../model/location.js';
import type { ObjectStore } from './object-store.js';

/** A store bound to one configured location of a dataset. */
export interface BoundStore {
  store: ObjectStore;
  location: Location;
  /** Full-key prefix of the location ('' for local folders). */
  prefix: string;
  uri: string;
  accessKeyId: string | undefined;
  kind: Location['kind'];
  sseKmsKeyId: string | undefined;
  /**
   * How a browser gets an object's bytes: a presigned URL from the store, or Winnow's own file route
   * (local folders, and Azure datasources connected with a SAS token, which cannot sign another SAS).
   */
  browserUrls: 'presigned' | 'served';
}

export interface DatasetStores {
  input: BoundStore;
  /** Only its `.winnow/` folder is writable. */
  output: BoundStore;
}
