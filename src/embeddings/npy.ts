/**
 * NumPy's `.npy` format (version 1.0-3.0): a header dict `{'descr', 'fortran_order', 'shape'}`
 * and the raw values. Reads 2-D little-endian float16/32/64 arrays in C order; writes float32.
 */

export interface NpyMatrix {
  rows: number;
  columns: number;
  values: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Parses a 2-D float matrix; throws an Error saying what is wrong (the caller names the file). */
export function parseNpy(bytes: Uint8Array): NpyMatrix {
  if (bytes.length < 10 || !MAGIC.every((byte, index) => bytes[index] === byte)) throw new Error('not a .npy file (it does not start with \\x93NUMPY)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new Error(`it is .npy format version ${major}; versions 1 to 3 are read`);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw new Error(`it ends after ${bytes.length} bytes, inside its header (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerStart + headerLength > bytes.length) throw new Error(`its header should hold ${headerLength} bytes but the file ends first (truncated?)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new Error(`its header is not a NumPy array header: ${header.trim().slice(0, 120)}`);
  if (fortran === 'True') throw new Error('it is in Fortran order; save it with np.save(path, np.ascontiguousarray(a))');
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number);
  if (shape.length !== 2 || !shape.every((dim) => Number.isInteger(dim) && dim >= 0))
    throw new Error(`it has shape (${shapeText}); a matrix of one row per image (N, D) is needed`);
  const [rows, columns] = shape as [number, number];
  const width = { '<f2': 2, '<f4': 4, '<f8': 8 }[descr];
  if (width === undefined) throw new Error(`it holds ${descr}; little-endian float16, float32 or float64 (<f2, <f4, <f8) is needed`);
  const dataStart = headerStart + headerLength;
  const expected = rows * columns * width;
  if (bytes.length - dataStart !== expected)
    throw new Error(
      `it should hold ${expected.toLocaleString('en-US')} bytes of values for shape (${rows}, ${columns}) but holds ${(bytes.length - dataStart).toLocaleString('en-US')} (truncated?)`,
    );
  const values = new Float32Array(rows * columns);
  for (let i = 0; i < values.length; i++) {
    const at = dataStart + i * width;
    values[i] = width === 4 ? view.getFloat32(at, true) : width === 8 ? view.getFloat64(at, true) : halfToFloat(view.getUint16(at, true));
  }
  return { rows, columns, values };
}

/** The `.npy` header (version 1.0) for a float32 matrix; the values follow it as little-endian float32. */
export function npyHeader(rows: number, columns: number): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${columns}), }`;
  // Magic (6) + version (2) + length (2) + dict + padding + '\n' is a multiple of 64.
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const text = `${dict}${' '.repeat(total - 10 - dict.length - 1)}\n`;
  const bytes = new Uint8Array(total);
  bytes.set(MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  new DataView(bytes.buffer).setUint16(8, text.length, true);
  bytes.set(new TextEncoder().encode(text), 10);
  return bytes;
}

function halfToFloat(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
