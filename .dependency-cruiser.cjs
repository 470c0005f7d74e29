/**
 * The layers of src/ (see ARCHITECTURE.md), checked by `npm run lint:layers` in `npm test`:
 * entry points → workflows → domains → db / model → base. Nothing imports upward, no domain
 * imports another, no file imports in a circle, and only adapter files import vendor SDKs.
 */
const ENTRY = '^src/(cli|api|jobs)/|^src/context\\.ts$';
const WORKFLOWS = '^src/workflows/';
const DOMAINS = '^src/(catalog|auth|datasources|media|policy|embeddings|selection)/';
const DB = '^src/db/';
const MODEL = '^src/model/';
const BASE = '^src/(shared|log|config|secrets)/|^src/errors\\.ts$';
const WEB = '^src/web/';
/** Files named for the vendor they adapt (`s3.object-store.ts`, `sharp.image-processor.ts`, …), and the catalog's SQL. */
const ADAPTERS =
  '^src/(datasources/(s3[.-]|azure\\.|aws-credentials|presigned-url-cache)|media/sharp\\.|embeddings/onnx\\.|policy/iam-simulate\\.|db/|catalog/[a-z-]+\\.repository\\.ts$|auth/token\\.repository\\.ts$|jobs/pg-boss\\.)';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Files must not import each other in a loop.', from: { path: '^src/' }, to: { circular: true } },
    {
      name: 'workflows-below-entry-points',
      severity: 'error',
      comment: 'Workflows are called by entry points, never the reverse.',
      from: { path: WORKFLOWS },
      to: { path: `${ENTRY}|${WEB}` },
    },
    {
      name: 'domains-below-workflows',
      severity: 'error',
      comment: 'A domain (catalog, datasources, media, policy, …) is orchestrated by workflows; it never calls up.',
      from: { path: DOMAINS },
      to: { path: `${WORKFLOWS}|${ENTRY}|${WEB}` },
    },
    {
      name: 'domains-apart',
      severity: 'error',
      comment: 'No domain imports another: what two domains share lives in model/ (values) or base; a workflow combines them.',
      from: { path: DOMAINS },
      to: { path: DOMAINS, pathNot: '^src/$1/' },
    },
    {
      name: 'db-knows-no-domain',
      severity: 'error',
      comment: 'db/ holds Kysely, dialects and migrations only.',
      from: { path: DB },
      to: { path: '^src/', pathNot: `${DB}|${BASE}` },
    },
    {
      name: 'model-is-values',
      severity: 'error',
      comment: 'model/ holds value types and pure rules that every layer speaks.',
      from: { path: MODEL },
      to: { path: '^src/', pathNot: `${MODEL}|${BASE}` },
    },
    {
      name: 'base-knows-nothing-above',
      severity: 'error',
      comment: 'Config, errors, log, secrets and shared helpers know no domain.',
      from: { path: BASE },
      to: { path: '^src/', pathNot: BASE },
    },
    {
      name: 'web-talks-to-the-api-only',
      severity: 'error',
      comment: 'The web app imports only types from the API contract (api/schemas.ts) and model/, never server code.',
      from: { path: WEB },
      to: { path: '^src/', pathNot: `${WEB}|^src/api/schemas\\.ts$|${MODEL}` },
    },
    {
      name: 'web-imports-types-only',
      severity: 'error',
      comment: 'What the web app takes from the server side is types.',
      from: { path: WEB },
      to: { path: '^src/api/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'vendor-sdks-in-adapters-only',
      severity: 'error',
      comment: 'Only adapter files import the AWS SDK, the Azure SDK, sharp, onnxruntime, iam-simulate, the SQL drivers and pg-boss.',
      from: { path: '^src/', pathNot: `${ADAPTERS}|${WEB}|\\.test\\.ts$` },
      to: { path: 'node_modules/(@aws-sdk|@smithy|@azure|sharp|onnxruntime-node|@cloud-copilot|better-sqlite3|pg|pg-boss|kysely)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
