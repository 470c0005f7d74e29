import type { SampleFilters } from './api.js';

/** Categorical colours that stay apart on a dark or light background (Tableau 10). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
/** Points outside the coloured set (not in the tag, beyond the palette's categories). */
export const MUTED = '#8a8f98';

/** The API's packed coordinates (base64 of little-endian float32 x, y pairs) as plain numbers. */
export function decodeCoordinates(base64: string): Float32Array {
  const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const values = new Float32Array(bytes.byteLength / 4);
  for (let index = 0; index < values.length; index += 1) values[index] = view.getFloat32(index * 4, true);
  return values;
}

/**
 * x, y pairs scaled into [-0.95, 0.95] (the plot's normalised device coordinates), one scale for both
 * axes so distances keep their meaning, centred on the middle of the points' extent.
 */
export function normalisePoints(pairs: Float32Array): { x: Float32Array; y: Float32Array } {
  const count = pairs.length / 2;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let index = 0; index < count; index += 1) {
    const x = pairs[index * 2]!;
    const y = pairs[index * 2 + 1]!;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const half = Math.max(maxX - minX, maxY - minY, Number.EPSILON) / 2;
  const centreX = (minX + maxX) / 2;
  const centreY = (minY + maxY) / 2;
  const x = new Float32Array(count);
  const y = new Float32Array(count);
  for (let index = 0; index < count; index += 1) {
    x[index] = ((pairs[index * 2]! - centreX) / half) * 0.95;
    y[index] = ((pairs[index * 2 + 1]! - centreY) / half) * 0.95;
  }
  return { x, y };
}

/** The top-level folder of a key, as the grid's folder filter names it ("cows/"), or "" for the top level. */
export function topFolder(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash + 1);
}

/**
 * Whether a key passes the grid's filters, as the server applies them (folder, name contains,
 * extension, tag). The status filter is the server's alone: every point on the map has a vector,
 * so it was readable.
 */
export function matchesFilters(key: string, filters: SampleFilters, tagKeys: ReadonlySet<string> | undefined): boolean {
  if (filters.folder) {
    const folder = filters.folder.endsWith('/') ? filters.folder : `${filters.folder}/`;
    if (!key.startsWith(folder)) return false;
  }
  if (filters.q && !key.toLowerCase().includes(filters.q.toLowerCase())) return false;
  if (filters.extension && !key.toLowerCase().endsWith(`.${filters.extension.replace(/^\./, '').toLowerCase()}`)) return false;
  if (filters.tag && !(tagKeys?.has(key) ?? false)) return false;
  return true;
}

export interface Colouring {
  /** One category index per point (an index into colours). */
  categories: Uint8Array;
  colours: string[];
  legend: Array<{ label: string; colour: string; count: number }>;
}

/** Colours by category: the most common categories get the palette, the rest share one muted "other". */
export function colourByCategory(labels: readonly string[], otherLabel = 'other'): Colouring {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const coloured = ranked.slice(0, PALETTE.length - (ranked.length > PALETTE.length ? 1 : 0));
  const indexOf = new Map(coloured.map(([label], index) => [label, index]));
  const otherIndex = coloured.length;
  const categories = new Uint8Array(labels.length);
  labels.forEach((label, point) => (categories[point] = indexOf.get(label) ?? otherIndex));
  const colours = [...coloured.map((_, index) => PALETTE[index]!), MUTED];
  const legend = coloured.map(([label, count], index) => ({ label, colour: PALETTE[index]!, count }));
  const others = labels.length - coloured.reduce((sum, [, count]) => sum + count, 0);
  if (others > 0) legend.push({ label: otherLabel, colour: MUTED, count: others });
  return { categories, colours, legend };
}

/** Two colours: in the tag, or not. */
export function colourByMembership(keys: readonly string[], members: ReadonlySet<string>, tagName: string): Colouring {
  const categories = new Uint8Array(keys.length);
  let inside = 0;
  keys.forEach((key, point) => {
    if (members.has(key)) {
      categories[point] = 0;
      inside += 1;
    } else categories[point] = 1;
  });
  return {
    categories,
    colours: [PALETTE[2]!, MUTED],
    legend: [
      { label: `in ${tagName}`, colour: PALETTE[2]!, count: inside },
      { label: `not in ${tagName}`, colour: MUTED, count: keys.length - inside },
    ],
  };
}

/** A sequential ramp, light to dark, for numeric fields. */
const RAMP = ['#fde725', '#5ec962', '#21918c', '#3b528b', '#440154'];

/**
 * Colours by a metadata field: texts as categories, numbers in five ranges of equal counts.
 * Points without a value get the muted colour.
 */
export function colourByField(keys: readonly string[], valueOf: ReadonlyMap<string, number | string>, field: string): Colouring {
  const numbers = [...valueOf.values()].filter((value): value is number => typeof value === 'number').sort((a, b) => a - b);
  if (numbers.length === 0 || numbers.length < valueOf.size / 2) {
    return colourByCategory(
      keys.map((key) => {
        const value = valueOf.get(key);
        return value === undefined ? `no ${field}` : String(value);
      }),
      'other values',
    );
  }
  const bins = Math.min(RAMP.length, new Set(numbers).size);
  const edges = Array.from({ length: bins - 1 }, (_, index) => numbers[Math.floor(((index + 1) * numbers.length) / bins)]!);
  const binOf = (value: number) => edges.filter((edge) => value >= edge).length;
  const categories = new Uint8Array(keys.length);
  const counts = new Array<number>(bins + 1).fill(0);
  keys.forEach((key, point) => {
    const value = valueOf.get(key);
    const bin = typeof value === 'number' ? binOf(value) : bins;
    categories[point] = bin;
    counts[bin] = counts[bin]! + 1;
  });
  const bounds = [numbers[0]!, ...edges, numbers.at(-1)!];
  const legend = Array.from({ length: bins }, (_, bin) => ({
    label: `${field} ${formatBound(bounds[bin]!)}${bin === bins - 1 ? '–' : '–<'}${formatBound(bounds[bin + 1]!)}`,
    colour: RAMP[bin]!,
    count: counts[bin]!,
  }));
  if (counts[bins]! > 0) legend.push({ label: `no ${field}`, colour: MUTED, count: counts[bins]! });
  return { categories, colours: [...RAMP.slice(0, bins), MUTED], legend };
}

function formatBound(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(3);
}
