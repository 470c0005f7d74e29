import { describe, expect, it } from 'vitest';
import { npyHeader, parseNpy } from './npy.js';
import { parseVectorCsv, shortestFloat32, vectorCsvHeader, vectorCsvRow } from './vector-csv.js';

describe('Lightly CSV', () => {
  it('writes and reads back the same float32 values and tricky filenames exactly', () => {
    const vectors = [Float32Array.from([0.1, -1e-7, 3.4028234663852886e38, 1 / 3]), Float32Array.from([Math.PI, -0, 0, 2 ** -140])];
    const names = ['cows/cow 1,2 "best".jpg', 'ünï/#50% off.png'];
    const text = [vectorCsvHeader(4), ...names.map((name, index) => vectorCsvRow(name, vectors[index]!)), ''].join('\n');
    const parsed = parseVectorCsv(text);
    expect(parsed).toMatchObject({ ok: true, table: { filenames: names, dimensions: 4 } });
    if (!parsed.ok) return;
    expect([...parsed.table.values]).toEqual([...vectors[0]!, ...vectors[1]!]);
    expect(shortestFloat32(Math.fround(0.1))).toBe('0.1');
  });

  it('accepts a labels column and CRLF line ends', () => {
    const parsed = parseVectorCsv('filenames,embedding_0,embedding_1,labels\r\na.jpg,1,2,0\r\nb.jpg,3,4,1\r\n');
    expect(parsed).toMatchObject({ ok: true, table: { filenames: ['a.jpg', 'b.jpg'], dimensions: 2 } });
  });

  it('reports ragged rows, non-numbers, empty and duplicate filenames with their line numbers', () => {
    const parsed = parseVectorCsv('filenames,embedding_0,embedding_1\na.jpg,1,2\nb.jpg,1\nc.jpg,1,x\n,1,2\na.jpg,3,4\n');
    expect(parsed).toEqual({
      ok: false,
      problems: [
        { line: 3, message: '2 fields, but the header has 3' },
        { line: 4, message: 'embedding_1 is "x", not a number' },
        { line: 5, message: 'the filename is empty' },
        { line: 6, message: '"a.jpg" is also on line 2' },
      ],
    });
    expect(parseVectorCsv('name,vector\n')).toMatchObject({
      ok: false,
      problems: [{ line: 1, message: expect.stringContaining('the header must be filenames,embedding_0') }],
    });
  });
});

describe('.npy', () => {
  it('reads back what it writes, and float64 and float16 files NumPy writes', () => {
    const values = Float32Array.from([1.5, -2, 0.25, 1 / 3, 7, 8]);
    const file = new Uint8Array([...npyHeader(2, 3), ...new Uint8Array(values.buffer)]);
    expect(file.indexOf(0x0a)).toBe(npyHeader(2, 3).length - 1);
    expect(parseNpy(file)).toEqual({ rows: 2, columns: 3, values });
    const header = (descr: string) => {
      const head = npyHeader(1, 2);
      return new Uint8Array([...head.slice(0, 10), ...new TextEncoder().encode(new TextDecoder().decode(head.slice(10)).replace('<f4', descr))]);
    };
    const float64 = new Float64Array([0.1, -3]);
    expect([...parseNpy(new Uint8Array([...header('<f8'), ...new Uint8Array(float64.buffer)])).values]).toEqual([Math.fround(0.1), -3]);
    expect([...parseNpy(new Uint8Array([...header('<f2'), 0x00, 0x3c, 0x00, 0xc0])).values]).toEqual([1, -2]);
  });

  it('says what is wrong with a file it cannot use', () => {
    expect(() => parseNpy(new TextEncoder().encode('filenames,embedding_0'))).toThrow('not a .npy file');
    const truncated = new Uint8Array([...npyHeader(2, 3), 1, 2, 3]);
    expect(() => parseNpy(truncated)).toThrow('should hold 24 bytes of values for shape (2, 3) but holds 3 (truncated?)');
  });
});
