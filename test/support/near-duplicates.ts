import sharp from 'sharp';

/** JPEG quality of every re-encoded near-duplicate but the low-quality one. */
const QUALITY = 90;

/** A near-duplicate a user would make of a photo; `file` names it in a folder of samples. */
export interface NearDuplicateTransform {
  name: string;
  file: string;
  make: (photo: Buffer) => Promise<Buffer>;
}

const size = async (photo: Buffer) => {
  const { width, height } = await sharp(photo).metadata();
  return { width, height };
};

/** The centre `fraction` of each side of a photo (a crop a user would make), not yet encoded. */
export async function centreCrop(photo: Buffer, fraction: number) {
  const { width, height } = await size(photo);
  const [w, h] = [Math.round(width * fraction), Math.round(height * fraction)];
  return sharp(photo).extract({ left: (width - w) >> 1, top: (height - h) >> 1, width: w, height: h });
}

/**
 * The near-duplicates the issue names (smaller, recompressed, brighter, trimmed, converted), made
 * the same way by the tests on real photos and the benchmarks (bench/embedding-photos.ts).
 */
export const NEAR_DUPLICATE_TRANSFORMS: readonly NearDuplicateTransform[] = [
  {
    name: 'resize 50%',
    file: 'half.jpg',
    make: async (photo) =>
      sharp(photo)
        .resize(Math.round((await size(photo)).width / 2))
        .jpeg({ quality: QUALITY })
        .toBuffer(),
  },
  { name: 'JPEG q30', file: 'q30.jpg', make: (photo) => sharp(photo).jpeg({ quality: 30 }).toBuffer() },
  { name: 'brighter 20%', file: 'brighter.jpg', make: (photo) => sharp(photo).linear(1.2, 0).jpeg({ quality: QUALITY }).toBuffer() },
  { name: 'crop 90%', file: 'crop.jpg', make: async (photo) => (await centreCrop(photo, 0.9)).jpeg({ quality: QUALITY }).toBuffer() },
  { name: 'PNG copy', file: 'copy.png', make: (photo) => sharp(photo).png().toBuffer() },
];
