import { descriptorNorms, descriptorsWithin, type DescriptorNorms } from './thumbnail-descriptor.js';

/** Two samples judged duplicates of each other; `distance` 0 for byte-identical ones. */
export interface ClosePair {
  a: number;
  b: number;
  distance: number;
}

export interface DuplicateGroup {
  /** Members, the kept one first, then by index. */
  members: number[];
  keep: number;
  /** The largest distance of a pair that joined the group. */
  maxDistance: number;
}

/** What the keeper rule and the exact-duplicate test read of a sample. */
export interface DuplicateCandidate {
  key: string;
  /** Bytes. */
  size: number;
  etag: string | null;
  /** width x height, when the header was read. */
  pixels: number | null;
}

/**
 * Groups samples connected through duplicate pairs (union-find) and picks the one to keep in each:
 * the first by `preference`. Groups come ordered by their kept sample's preference.
 */
export function groupDuplicates(n: number, pairs: readonly ClosePair[], preference: (a: number, b: number) => number): DuplicateGroup[] {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[i] !== root) {
      const next = parent[i]!;
      parent[i] = root;
      i = next;
    }
    return root;
  };
  for (const pair of pairs) {
    const ra = find(pair.a);
    const rb = find(pair.b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const byRoot = new Map<number, { members: Set<number>; maxDistance: number }>();
  for (const pair of pairs) {
    const root = find(pair.a);
    let group = byRoot.get(root);
    if (!group) byRoot.set(root, (group = { members: new Set(), maxDistance: 0 }));
    group.members.add(pair.a).add(pair.b);
    group.maxDistance = Math.max(group.maxDistance, pair.distance);
  }
  const groups: DuplicateGroup[] = [];
  for (const { members: memberSet, maxDistance } of byRoot.values()) {
    const members = [...memberSet];
    const keep = members.reduce((best, member) => (preference(member, best) < 0 ? member : best));
    const rest = members.filter((member) => member !== keep).sort((x, y) => x - y);
    groups.push({ members: [keep, ...rest], keep, maxDistance });
  }
  return groups.sort((x, y) => preference(x.keep, y.keep));
}

/** The keeper rule: most pixels (unknown counts as none), then most bytes, then the smallest key. */
export function keeperPreference(samples: readonly DuplicateCandidate[]): (a: number, b: number) => number {
  return (a, b) => {
    const [x, y] = [samples[a]!, samples[b]!];
    return (y.pixels ?? 0) - (x.pixels ?? 0) || y.size - x.size || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
  };
}

/**
 * Whether an etag is the MD5 of the object's bytes: 32 hex digits. Multipart uploads (`…-3`),
 * Azure (`0x8D…`) and local files (size-mtime) carry other etags. Objects encrypted with SSE-KMS
 * carry 32 hex digits that are not their MD5: two such copies look different here, yet their
 * vectors match (distance 0), so they are still grouped as near-duplicates.
 */
export function isContentMd5(etag: string | null): etag is string {
  return etag !== null && /^[0-9a-f]{32}$/i.test(etag);
}

/** Same-size sets of two or more samples: the only places an exact duplicate can be. */
function sameSizeSets(samples: readonly Pick<DuplicateCandidate, 'size'>[]): number[][] {
  const bySize = new Map<number, number[]>();
  samples.forEach((sample, index) => {
    const set = bySize.get(sample.size);
    if (set) set.push(index);
    else bySize.set(sample.size, [index]);
  });
  return [...bySize.values()].filter((set) => set.length > 1);
}

/**
 * The samples whose content must be hashed to tell exact duplicates: every member of a same-size
 * set in which some etag is not an MD5 (a multipart copy of a single-part upload has another etag).
 */
export function samplesNeedingContentHash(samples: readonly Pick<DuplicateCandidate, 'size' | 'etag'>[]): number[] {
  return sameSizeSets(samples)
    .filter((set) => !set.every((index) => isContentMd5(samples[index]!.etag)))
    .flat()
    .sort((a, b) => a - b);
}

/**
 * Byte-identical pairs (distance 0): same size and, within a same-size set, the same MD5 etag when
 * every etag of the set is an MD5, else the same content hash (`contentHashes` by sample index;
 * samples without one are left out). Each duplicate is paired with the first of its kind.
 */
export function exactDuplicatePairs(samples: readonly Pick<DuplicateCandidate, 'size' | 'etag'>[], contentHashes: ReadonlyMap<number, string>): ClosePair[] {
  const pairs: ClosePair[] = [];
  for (const set of sameSizeSets(samples)) {
    const byEtag = set.every((index) => isContentMd5(samples[index]!.etag));
    const first = new Map<string, number>();
    for (const index of set) {
      const fingerprint = byEtag ? samples[index]!.etag!.toLowerCase() : contentHashes.get(index);
      if (fingerprint === undefined) continue;
      const earlier = first.get(fingerprint);
      if (earlier === undefined) first.set(fingerprint, index);
      else pairs.push({ a: earlier, b: index, distance: 0 });
    }
  }
  return pairs;
}

export interface NearDuplicateRule {
  /** Cosine distance between unit vectors at or under which a pair is a candidate. */
  threshold: number;
  /** Thumbnail-descriptor distance a candidate must also be at or under, when both samples have one. */
  descriptorThreshold: number;
  /** The cosine distance a candidate must be at or under when either sample has no descriptor. */
  thresholdWithoutDescriptor: number;
}

/**
 * Near-duplicate pairs among candidate neighbours: `candidates` holds `k` row indices per row
 * (-1 for none; the row itself is skipped), each pair is measured once on the full unit vectors
 * (`rows`, n x d) and kept when the rule says so. Pairs come with a < b, ordered by a then b.
 * `projected` (the same rows projected onto orthonormal directions, e.g. by PCA) skips pairs
 * without reading the full vectors: a projection never lengthens a difference, so a pair already
 * farther than the threshold there is farther in full (cosine distance = |x - y|^2 / 2 for unit vectors).
 * When both samples have a descriptor it is compared first: among an embedding's nearest
 * neighbours most pairs are distinct images of one scene, which the descriptor turns down.
 */
export function confirmNearDuplicates(
  candidates: Int32Array,
  k: number,
  rows: Float32Array,
  d: number,
  descriptors: ReadonlyArray<Int8Array | null>,
  rule: NearDuplicateRule,
  projected?: { rows: Float32Array; dimensions: number },
): { pairs: ClosePair[]; withoutDescriptor: number } {
  const n = candidates.length / k;
  const pairs: ClosePair[] = [];
  let withoutDescriptor = 0;
  const norms: Array<DescriptorNorms | undefined> = [];
  const normsOf = (row: number) => (norms[row] ??= descriptorNorms(descriptors[row]!));
  const listed = (row: number, other: number) => {
    for (let c = 0; c < k; c++) if (candidates[row * k + c] === other) return true;
    return false;
  };
  const limit = rule.threshold * 1.01 + 1e-4;
  for (let a = 0; a < n; a++) {
    for (let c = 0; c < k; c++) {
      const other = candidates[a * k + c]!;
      if (other < 0 || other === a) continue;
      // Each pair once: a pair listed by both rows is measured from the lower one.
      if (other < a && listed(other, a)) continue;
      const x = Math.min(a, other);
      const y = Math.max(a, other);
      // The slack covers float32 rounding of the projection.
      if (projected && projectedSquared(projected.rows, projected.dimensions, x, y) / 2 > limit) continue;
      const dx = descriptors[x];
      const dy = descriptors[y];
      if (dx && dy && !descriptorsWithin(dx, normsOf(x), dy, normsOf(y), rule.descriptorThreshold)) continue;
      const distance = Math.max(0, 1 - dot(rows, x * d, y * d, d));
      if (distance > rule.threshold) continue;
      if (!(dx && dy)) {
        if (distance > rule.thresholdWithoutDescriptor) continue;
        withoutDescriptor++;
      }
      pairs.push({ a: x, b: y, distance });
    }
  }
  pairs.sort((p, q) => p.a - q.a || p.b - q.b);
  return { pairs, withoutDescriptor };
}

function projectedSquared(rows: Float32Array, p: number, x: number, y: number): number {
  let squared = 0;
  for (let j = 0; j < p; j++) {
    const difference = rows[x * p + j]! - rows[y * p + j]!;
    squared += difference * difference;
  }
  return squared;
}

/** rows[x..x+d) . rows[y..y+d), summed in the order of a plain loop (same rounding as before). */
function dot(rows: Float32Array, x: number, y: number, d: number): number {
  let sum = 0;
  for (let j = 0; j < d; j++) sum += rows[x + j]! * rows[y + j]!;
  return sum;
}
