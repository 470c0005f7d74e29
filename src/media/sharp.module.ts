type SharpModule = typeof import('sharp');

let loaded: Promise<SharpModule> | undefined;

/**
 * sharp, loaded on first use (it adds ~100 ms to a CLI start that does not need it) and set up once
 * per process: no libvips operation cache (every image is decoded once, so cached results only hold
 * memory) and one libvips thread per image (callers work on several images at once instead, which
 * keeps each image's working set small and the cores busy).
 */
export function loadSharp(): Promise<SharpModule> {
  loaded ??= import('sharp').then((module) => {
    module.default.cache(false);
    module.default.concurrency(1);
    return module;
  });
  return loaded;
}
