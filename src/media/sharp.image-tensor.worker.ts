import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../errors.js';
import { createSharpImageTensorDecoder } from './sharp.image-tensor.js';

/** One decoder thread of `image-tensor-pool.ts`: image bytes in, the model input's RGB bytes out. */
interface Task {
  id: number;
  input: ArrayBuffer;
  size: number;
}

const decoder = createSharpImageTensorDecoder({ maxInputPixels: (workerData as { maxInputPixels: number }).maxInputPixels });
parentPort!.on('message', (task: Task) => {
  decoder.decode(Buffer.from(task.input), task.size).then(
    // Copied, not transferred: sharp's buffer lives outside V8's heap (150 KB at 224 px).
    (pixels) => parentPort!.postMessage({ id: task.id, pixels }),
    (error: unknown) => {
      const failure = isAppError(error)
        ? { code: error.code, message: error.message, hint: error.hint }
        : { code: undefined, message: error instanceof Error ? error.message : String(error), hint: undefined };
      parentPort!.postMessage({ id: task.id, error: failure });
    },
  );
});
