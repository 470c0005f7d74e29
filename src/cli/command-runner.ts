import type { Context } from '../context.js';
import type { Output } from './render.js';

/** What every command action receives: a ready context and where to print. */
export type Action<Options> = (context: Context, options: Options, output: Output, args: string[]) => Promise<number | void>;

/** An action that needs no catalog: it opens nothing and creates nothing under the home folder. */
export type StandaloneAction<Options> = (options: Options, output: Output, args: string[]) => Promise<number | void>;

export interface CommandRunner {
  /** Wraps an action: builds the context from global options, maps errors to exit codes, closes the catalog. */
  run<Options extends { json?: boolean }>(action: Action<Options>): (...commanderArgs: unknown[]) => Promise<void>;
  /** Wraps an action that needs no context, mapping errors to exit codes like run(). */
  runStandalone<Options extends { json?: boolean }>(action: StandaloneAction<Options>): (...commanderArgs: unknown[]) => Promise<void>;
}
