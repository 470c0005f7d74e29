import { describe, expect, it } from 'vitest';
import { colourByCategory, colourByField, decodeCoordinates, matchesFilters, MUTED, normalisePoints, topFolder } from './map-points.js';

const base64Of = (values: number[]) => btoa(String.fromCharCode(...new Uint8Array(new Float32Array(values).buffer)));

describe('map points', () => {
  it("decodes the API's little-endian float32 pairs", () => {
    expect([...decodeCoordinates(base64Of([1.5, -2, 0.25, 1e6]))]).toEqual([1.5, -2, 0.25, 1e6]);
  });

  it('scales both axes by one factor into [-0.95, 0.95], centred', () => {
    const { x, y } = normalisePoints(new Float32Array([0, 0, 10, 2, 20, 4]));
    expect([...x].map((value) => Number(value.toFixed(4)))).toEqual([-0.95, 0, 0.95]);
    // y spans 4 of the 20 units x spans: same scale, so a fifth of the width.
    expect([...y].map((value) => Number(value.toFixed(4)))).toEqual([-0.19, 0, 0.19]);
  });

  it('applies the grid filters the server applies: folder, name, extension, tag', () => {
    const filters = { sort: 'key', order: 'asc' } as const;
    expect(matchesFilters('cows/a.JPG', { ...filters, folder: 'cows' }, undefined)).toBe(true);
    expect(matchesFilters('cows-2/a.jpg', { ...filters, folder: 'cows/' }, undefined)).toBe(false);
    expect(matchesFilters('cows/Brown.jpg', { ...filters, q: 'brown' }, undefined)).toBe(true);
    expect(matchesFilters('cows/a.png', { ...filters, extension: 'jpg' }, undefined)).toBe(false);
    expect(matchesFilters('cows/a.jpg', { ...filters, tag: 't' }, new Set(['cows/b.jpg']))).toBe(false);
    expect(matchesFilters('cows/b.jpg', { ...filters, tag: 't' }, new Set(['cows/b.jpg']))).toBe(true);
    expect(topFolder('cows/2024/a.jpg')).toBe('cows/');
    expect(topFolder('a.jpg')).toBe('');
  });

  it('gives the palette to the commonest categories and one muted colour to the rest', () => {
    const labels = Array.from({ length: 12 }, (_, index) => `c${index}`).flatMap((label, index) => Array<string>(12 - index).fill(label));
    const colouring = colourByCategory(labels);
    expect(colouring.legend).toHaveLength(10);
    expect(colouring.legend.at(-1)).toEqual({ label: 'other', colour: MUTED, count: 2 + 1 + 3 });
    expect(colouring.categories[0]).toBe(0);
    expect(colouring.categories.at(-1)).toBe(9);
  });

  it('colours a numeric field in ranges of equal counts, and keys without a value muted', () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const values = new Map<string, number | string>([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
      ['e', 5],
    ]);
    const colouring = colourByField(keys, values, 'quality');
    expect(colouring.legend.map((entry) => entry.count)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(colouring.legend.at(-1)).toMatchObject({ label: 'no quality', colour: MUTED });
    expect([...colouring.categories]).toEqual([0, 1, 2, 3, 4, 5]);
    const texts = colourByField(
      ['a', 'b', 'c'],
      new Map([
        ['a', 'cow'],
        ['b', 'pig'],
      ]),
      'label',
    );
    expect(texts.legend.map((entry) => entry.label).sort()).toEqual(['cow', 'no label', 'pig']);
  });
});
