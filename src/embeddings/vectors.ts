/** Scales a vector to unit length in place and returns it; an all-zero vector stays all zero. */
export function normalizeInPlace(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  if (sum === 0) return vector;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  return vector;
}

/** Writes `vector` scaled to unit length into `target` at `offset` (imported vectors may have any length; cosine distances need unit ones). */
export function setUnit(target: Float32Array, offset: number, vector: Float32Array): void {
  const row = target.subarray(offset, offset + vector.length);
  row.set(vector);
  normalizeInPlace(row);
}

/** 1 - cosine similarity of two unit-length vectors: 0 for the same direction, 2 for opposite ones. */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`Vectors of ${a.length} and ${b.length} dimensions cannot be compared.`);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return 1 - dot;
}
