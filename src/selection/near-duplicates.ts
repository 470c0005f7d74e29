/** Two samples within the near-duplicate threshold of each other. */
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

/**
 * Groups samples that are near-duplicates of each other (connected through pairs within the
 * threshold) and picks the one to keep in each: the first by `preference` (e.g. most pixels,
 * then key order). Groups come ordered by their kept sample's preference.
 */
export function groupNearDuplicates(n: number, pairs: readonly ClosePair[], preference: (a: number, b: number) => number): DuplicateGroup[] {
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
  const joined = new Map<number, number>();
  for (const pair of pairs) {
    const ra = find(pair.a);
    const rb = find(pair.b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  for (const pair of pairs) {
    const root = find(pair.a);
    joined.set(root, Math.max(joined.get(root) ?? 0, pair.distance));
  }
  const byRoot = new Map<number, Set<number>>();
  for (const pair of pairs) {
    for (const member of [pair.a, pair.b]) {
      const root = find(member);
      let members = byRoot.get(root);
      if (!members) byRoot.set(root, (members = new Set()));
      members.add(member);
    }
  }
  const groups: DuplicateGroup[] = [];
  for (const [root, memberSet] of byRoot) {
    const members = [...memberSet];
    const keep = members.reduce((best, member) => (preference(member, best) < 0 ? member : best));
    const rest = members.filter((member) => member !== keep).sort((x, y) => x - y);
    groups.push({ members: [keep, ...rest], keep, maxDistance: joined.get(root) ?? 0 });
  }
  return groups.sort((x, y) => preference(x.keep, y.keep));
}
