import { readFile } from 'node:fs/promises';
import { AppError } from '../errors.js';

/** The text of a policy file, or of stdin for `-`. */
export async function readPolicyText(path: string): Promise<string> {
  try {
    if (path === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      return Buffer.concat(chunks).toString('utf8');
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new AppError('InputInvalid', `Cannot read the policy file "${path}": ${reason}.`, {
      cause: error,
      hint: 'Give the path of a JSON policy document, or - to read it from stdin.',
    });
  }
}
