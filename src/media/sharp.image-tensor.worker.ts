import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../errors.js';
import type { ImageTensorOptions } from './image-tensor.js';
import { createSharpImageTensorDecoder } from './sharp.image-tensor.js';

/** One decoder thread of `image-tensor-pool.ts`: image bytes in, a model input out (its buffer transferred back). */
interface Task {
  id: number;
  input: ArrayBuffer;
  options: ImageTensorOptions;
}

const decoder = createSharpImageTensorDecoder({ maxInputPixels: (workerData as { maxInputPixels: number }).maxInputPixels });
parentPort!.on('message', (task: Task) => {
  decoder.decode(Buffer.from(task.input), task.options).then(
    (tensor) => parentPort!.postMessage({ id: task.id, tensor }, [tensor.buffer as ArrayBuffer]),
    (error: unknown) => {
      const failure = isAppError(error)
        ? { code: error.code, message: error.message, hint: error.hint }
        : { code: undefined, message: error instanceof Error ? error.message : String(error), hint: undefined };
      parentPort!.postMessage({ id: task.id, error: failure });
    },
  );
});
