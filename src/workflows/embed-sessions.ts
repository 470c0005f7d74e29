import type { EmbeddingModel } from '../catalog/embedding-model.repository.js';
import type { ImageEncoder } from '../embeddings/image-encoder.js';
import { openOnnxImageEncoder } from '../embeddings/onnx.image-encoder.js';
import type { ImageTensorDecoder } from '../media/image-tensor.js';
import { createSharpImageTensorDecoder } from '../media/sharp.image-tensor.js';
import { modelSpec } from './embedding-models.js';
import type { WorkflowDeps } from './workflow-deps.js';

/** An open model and its decoder. */
export interface EmbedSession {
  encoder: ImageEncoder;
  decoder: ImageTensorDecoder;
}

/**
 * Open model sessions a worker keeps between the batch jobs of an embedding run: opening one
 * loads and trial-runs the model (hundreds of milliseconds for a real backbone), which a batch
 * of a few hundred images should not pay again. A session
 * unused for `idleMs` is closed.
 */
export interface EmbedSessions {
  use<T>(model: EmbeddingModel, path: string, threads: number, run: (session: EmbedSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const IDLE_MS = 60_000;

export function createEmbedSessions(deps: Pick<WorkflowDeps, 'config' | 'images'>, idleMs = IDLE_MS): EmbedSessions {
  const open = new Map<string, { session: Promise<EmbedSession>; users: number; idle?: NodeJS.Timeout }>();
  const closeEntry = async (key: string) => {
    const entry = open.get(key);
    if (entry === undefined) return;
    open.delete(key);
    clearTimeout(entry.idle);
    const session = await entry.session.catch(() => undefined);
    await session?.encoder.close();
  };
  return {
    async use(model, path, threads, run) {
      const key = `${model.id}|${model.sha256}|${path}|${threads}`;
      let entry = open.get(key);
      if (entry === undefined) {
        const session = (async () => {
          const encoder = await openOnnxImageEncoder(path, modelSpec(model), { threads });
          return {
            encoder,
            decoder: createSharpImageTensorDecoder({ concurrency: deps.config.embedDecodeThreads, maxInputPixels: deps.images.maxInputPixels }),
          };
        })();
        entry = { session, users: 0 };
        open.set(key, entry);
        // A model that fails to open is not kept: the next batch tries again (and reports the same error).
        session.catch(() => open.get(key) === entry && open.delete(key));
      }
      entry.users++;
      clearTimeout(entry.idle);
      try {
        return await run(await entry.session);
      } finally {
        entry.users--;
        if (entry.users === 0 && open.get(key) === entry) {
          entry.idle = setTimeout(() => void closeEntry(key), idleMs);
          entry.idle.unref();
        }
      }
    },
    async close() {
      await Promise.all([...open.keys()].map(closeEntry));
    },
  };
}
