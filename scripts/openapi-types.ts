/**
 * Writes test/generated/winnow-api.d.ts, the openapi-fetch types of the API as it is built now
 * (`npm run openapi:types`). The contract test fails until this is re-run after a change to the API.
 */
import { writeFileSync } from 'node:fs';
import { CLIENT_TYPES_FILE, generateClientTypes, servedOpenApiDocument } from '../test/support/openapi.js';

writeFileSync(CLIENT_TYPES_FILE, await generateClientTypes(await servedOpenApiDocument()));
console.log(`wrote ${CLIENT_TYPES_FILE}`);
