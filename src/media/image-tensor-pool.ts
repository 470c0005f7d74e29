import type { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../errors.js';
import { startWorker } from '../shared/worker-thread.js';
import type { ImageTensorDecoder } from './image-tensor.js';
import { DEFAULT_MAX_INPUT_PIXELS } from './sharp.image-processor.js';

export interface ImageTensorPoolOptions {
  /** Decoder threads; each decodes one image at a time. */
  threads: number;
  maxInputPixels?: number;
}

/** An `ImageTensorDecoder` whose decoding runs in worker threads; close it when done. */
export interface ImageTensorPool extends ImageTensorDecoder {
  close(): Promise<void>;
}

interface Pending {
  id: number;
  input: ArrayBuffer;
  size: number;
  resolve: (pixels: Uint8Array) => void;
  reject: (error: unknown) => void;
}

type Reply = { id: number; pixels: Uint8Array } | { id: number; error: { code: ErrorCode | undefined; message: string; hint: string | undefined } };

/**
 * Decodes images into model inputs (sharp, as `sharp.image-tensor.ts`) on `threads` worker
 * threads, which bounds how many images are decoded at once and keeps libvips's work off the
 * thread that runs the model and records results. Bytes go to a thread by transfer, not copy.
 * A thread that dies fails the image it held and is replaced.
 */
export function createImageTensorPool(options: ImageTensorPoolOptions): ImageTensorPool {
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const queue: Pending[] = [];
  const busy = new Map<Worker, Pending>();
  const idle: Worker[] = [];
  let nextId = 0;
  let closed = false;

  const spawn = () => {
    const worker = startWorker(new URL('./sharp.image-tensor.worker.js', import.meta.url), { workerData: { maxInputPixels } });
    worker.on('message', (reply: Reply) => {
      const task = busy.get(worker);
      busy.delete(worker);
      idle.push(worker);
      if (task !== undefined && task.id === reply.id) {
        if ('pixels' in reply) task.resolve(reply.pixels);
        else
          task.reject(
            reply.error.code === undefined
              ? new Error(reply.error.message)
              : new AppError(reply.error.code, reply.error.message, reply.error.hint === undefined ? {} : { hint: reply.error.hint }),
          );
      }
      dispatch();
    });
    worker.on('error', (error) => {
      busy.get(worker)?.reject(error);
      busy.delete(worker);
    });
    worker.on('exit', () => {
      const task = busy.get(worker);
      busy.delete(worker);
      const at = idle.indexOf(worker);
      if (at >= 0) idle.splice(at, 1);
      task?.reject(new Error('The image decoder thread stopped unexpectedly.'));
      if (!closed) {
        idle.push(spawn());
        dispatch();
      }
    });
    worker.unref();
    return worker;
  };

  const dispatch = () => {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop()!;
      const task = queue.shift()!;
      busy.set(worker, task);
      worker.ref();
      worker.postMessage({ id: task.id, input: task.input, size: task.size }, [task.input]);
    }
    for (const worker of idle) worker.unref();
  };

  for (let i = 0; i < Math.max(1, options.threads); i++) idle.push(spawn());

  return {
    maxInputPixels,
    decode(input, size) {
      if (closed) return Promise.reject(new Error('The image decoder pool is closed.'));
      if (input.length === 0) return Promise.reject(new AppError('ImageUnreadable', 'The file is empty (0 bytes).'));
      // A copy moves to the thread (a millisecond for a 10 MB photo), so the caller's Buffer stays usable.
      const owned = input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength);
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, input: owned as ArrayBuffer, size, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const task of queue.splice(0)) task.reject(new Error('The image decoder pool was closed.'));
      await Promise.all([...idle, ...busy.keys()].map((worker) => worker.terminate()));
    },
  };
}
