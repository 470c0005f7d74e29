import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module beside the caller, given as its compiled `.js` URL. Run from
 * the TypeScript sources (tests, tsx), only the `.ts` file exists: the worker then registers tsx
 * before importing it, since a worker does not inherit the parent's loader.
 */
export function startWorker(compiledModule: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (existsSync(fileURLToPath(compiledModule))) return new Worker(compiledModule, options);
  const source = new URL(compiledModule.href.replace(/\.js$/, '.ts'));
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
