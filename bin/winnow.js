#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// `winnow ... | head` closes the pipe early: the reader has what it wanted, so that is no error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv);
