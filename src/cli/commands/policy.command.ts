import type { Command } from 'commander';
import { parseLocation } from '../../model/location.js';
import { LIGHTS } from '../../model/lights.js';
import { AppError } from '../../errors.js';
import { hasErrors, isUnreadable, type PolicyCheck, type PolicyLightCheck } from '../../policy/check-policy.js';
import { checkPolicyWithin } from '../../policy/check-policy-within.js';
import { generatePolicy, promisedLights } from '../../policy/generate-policy.js';
import { azureRecipe, gcsRecipe, keyScopeRecipe, type RecipeRequest, type StorageRecipe } from '../../policy/storage-recipes.js';
import { isPresetId, PRESET_IDS, S3_PRESETS, type PresetId } from '../../model/s3-presets.js';
import { generateTrustPolicy } from '../../policy/trust-policy.js';
import type { CommandRunner } from '../command-runner.js';
import { readPolicyText } from '../policy-file.js';
import { findingLocation, printFindings } from '../printers/policy-findings.js';
import { printJson, type Output } from '../render.js';

/** `policy check` exit status when the policy has error findings (it over-grants or names unknown actions). */
export const POLICY_HAS_ERRORS_EXIT = 1;
/** `policy check` exit status when the policy cannot be read (malformed JSON, missing or invalid fields). */
export const POLICY_UNREADABLE_EXIT = 2;

interface GenerateOptions {
  input?: string;
  trust?: boolean;
  principal?: string;
  externalId?: string;
  output?: string;
  write?: boolean;
  delete?: boolean;
  sseKmsKeyId?: string;
  sourceIp: string[];
  sourceVpc: string[];
  preset?: string;
  json?: boolean;
}

interface CheckOptions {
  input: string;
  output?: string;
  sseKmsKeyId?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerPolicyCommands(program: Command, runner: CommandRunner): void {
  const policy = program.command('policy').description('least-privilege IAM policies for a dataset: generate one, check any');

  policy
    .command('generate')
    .description("print the minimal identity policy for the chosen capabilities (list and read are always included), or with --trust a role's trust policy")
    .option('--input <uri>', "s3://bucket/folder/ to index (gs:// and azure:// print those stores' recipes)")
    .option(
      '--preset <name>',
      `S3-compatible store (${PRESET_IDS.filter((id) => id !== 'gcs').join(', ')}): its notes, or its key scopes where it has no IAM policies (r2, b2)`,
    )
    .option('--output <uri>', 'where Winnow writes, only under <output>/.winnow/ (default: the input)')
    .option('--write', 'allow writing under <output>/.winnow/ (s3:PutObject): the write and overwrite lights')
    .option('--delete', 'allow deleting under <output>/.winnow/ (s3:DeleteObject): the delete light')
    .option('--sse-kms-key-id <arn>', 'KMS key ARN used for SSE-KMS writes (kms:Decrypt, kms:Encrypt, kms:GenerateDataKey via S3)')
    .option('--source-ip <cidr>', 'allow requests only from this IP address or CIDR block (repeatable)', collect, [])
    .option('--source-vpc <id>', 'allow requests only from this VPC (repeatable)', collect, [])
    .option('--trust', 'print the trust policy of a role Winnow assumes (with --principal and --external-id)')
    .option('--principal <arn>', "with --trust: Winnow's own IAM user/role ARN or account id")
    .option('--external-id <id>', 'with --trust: the external ID the role requires (>= 10 characters)')
    .option('--json', 'print { policy, lights }')
    .action(
      runner.runStandalone<GenerateOptions>(async (options, output) => {
        if (options.trust) {
          if (options.principal === undefined || options.externalId === undefined) {
            throw new AppError('InputInvalid', "--trust needs --principal <Winnow's IAM ARN> and --external-id <id>.", {
              hint: 'Generate an external ID with `openssl rand -hex 16`.',
            });
          }
          const trust = generateTrustPolicy({ principal: options.principal, externalId: options.externalId });
          return printJson(output, options.json ? { policy: trust } : trust);
        }
        if (options.input === undefined)
          throw new AppError('InputInvalid', "policy generate needs --input s3://bucket/folder/ (or --trust for a role's trust policy).");
        const request = {
          input: parseLocation(options.input),
          output: options.output === undefined ? undefined : parseLocation(options.output),
          write: options.write === true,
          delete: options.delete === true,
          sseKmsKeyId: options.sseKmsKeyId,
          sourceIps: options.sourceIp,
          sourceVpcs: options.sourceVpc,
        };
        const preset = presetFor(options.preset, request.input.kind);
        const recipe = recipeFor(request, preset);
        if (recipe !== undefined) {
          if (options.sseKmsKeyId !== undefined || options.sourceIp.length > 0 || options.sourceVpc.length > 0) {
            throw new AppError(
              'InputInvalid',
              `--sse-kms-key-id, --source-ip and --source-vpc are conditions of AWS IAM policies; ${recipe.store} recipes have none.`,
            );
          }
          return printJson(output, options.json ? { recipe, lights: recipe.lights } : recipe);
        }
        if (preset !== undefined && !S3_PRESETS[preset].sseKms && options.sseKmsKeyId !== undefined) {
          throw new AppError('InputInvalid', `${S3_PRESETS[preset].label} does not support SSE-KMS; leave out --sse-kms-key-id.`);
        }
        const generated = generatePolicy(request);
        if (options.json) {
          const notes =
            preset === undefined
              ? {}
              : {
                  preset: {
                    id: preset,
                    label: S3_PRESETS[preset].label,
                    leastPrivilege: S3_PRESETS[preset].leastPrivilege,
                    quirks: S3_PRESETS[preset].quirks,
                    commands: presetCommands(preset),
                  },
                };
          return printJson(output, { policy: generated, lights: promisedLights(request), ...notes });
        }
        printJson(output, generated);
        // The policy alone goes to stdout, so it can be saved to a file; how to use it goes to stderr.
        if (preset !== undefined)
          for (const line of [S3_PRESETS[preset].leastPrivilege, ...presetCommands(preset), ...S3_PRESETS[preset].quirks]) output.err(`note: ${line}`);
      }),
    );

  policy
    .command('check <policy>')
    .description('evaluate a policy file (- for stdin) offline: the lights it grants, what it over-grants, a tightened policy')
    .requiredOption('--input <uri>', 's3://bucket/folder/ the policy is meant for')
    .option('--output <uri>', 'where Winnow writes, only under <output>/.winnow/ (default: the input)')
    .option('--sse-kms-key-id <id>', "the dataset's SSE-KMS key: writes are checked with its encryption headers")
    .option('--json', 'print one object { checks, findings, tightenedPolicy }')
    .action(
      runner.runStandalone<CheckOptions>(async (options, output, [file]) => {
        const target = {
          input: parseLocation(options.input),
          output: options.output === undefined ? undefined : parseLocation(options.output),
          sseKmsKeyId: options.sseKmsKeyId,
        };
        const check = await checkPolicyWithin(await readPolicyText(file!), target);
        if (options.json) printJson(output, check);
        else printPolicyCheck(output, check, file!);
        if (isUnreadable(check)) return POLICY_UNREADABLE_EXIT;
        return hasErrors(check) ? POLICY_HAS_ERRORS_EXIT : 0;
      }),
    );
}

function presetFor(name: string | undefined, kind: string): PresetId | undefined {
  if (name === undefined) return kind === 'gcs' ? 'gcs' : undefined;
  if (!isPresetId(name)) throw new AppError('InputInvalid', `--preset ${name} is not known; use one of ${PRESET_IDS.filter((id) => id !== 'gcs').join(', ')}.`);
  if (kind !== (name === 'gcs' ? 'gcs' : 's3')) throw new AppError('InputInvalid', `--preset ${name} does not go with a ${kind} location.`);
  return name;
}

/** The recipe of a store whose access is not an AWS IAM policy, or undefined for those that take one. */
function recipeFor(request: RecipeRequest, preset: PresetId | undefined): StorageRecipe | undefined {
  if (request.input.kind === 'azure') return azureRecipe(request);
  if (request.input.kind === 'gcs') return gcsRecipe(request);
  if (preset === 'r2' || preset === 'b2') return keyScopeRecipe(preset, request);
  return undefined;
}

/** How to attach the generated policy in stores that take AWS-style policies. */
function presetCommands(preset: PresetId): string[] {
  switch (preset) {
    case 'minio':
      return ['mc admin policy create <alias> winnow-dataset policy.json', 'mc admin policy attach <alias> winnow-dataset --user <winnow-user>'];
    case 'ceph':
      return [
        'radosgw-admin user create --uid=<winnow-user> --display-name=Winnow',
        'aws --endpoint-url <rgw-endpoint> iam put-user-policy --user-name <winnow-user> --policy-name winnow-dataset --policy-document file://policy.json',
      ];
    case 'wasabi':
      return ['Wasabi console → Policies → Create policy (paste policy.json) → attach it to the Winnow sub-user'];
    default:
      return [];
  }
}

function printPolicyCheck(output: Output, check: PolicyCheck, file: string): void {
  if (check.tightenedPolicy === null) {
    const source = file === '-' ? 'stdin' : file;
    for (const finding of check.findings) output.err(`${finding.severity}: ${source}: ${findingLocation(finding).replace(/.+/, '$&: ')}${finding.message}`);
    output.err('The policy cannot be used as it is; fix the errors above.');
    return;
  }
  output.out('Lights (the calls `winnow datasource verify` makes):');
  for (const light of LIGHTS) output.out(formatLight(light, check.checks[light]));
  printFindings(output, check.findings, '');
  const granted = LIGHTS.filter((light) => check.checks[light].ok);
  output.out(`Tightened policy (${granted.length > 0 ? `grants ${granted.join(', ')}` : 'list only'}; no findings):`);
  output.out(JSON.stringify(check.tightenedPolicy, null, 2));
}

function formatLight(light: string, check: PolicyLightCheck): string {
  const target = check.action === 's3:ListBucket' ? `${check.resource} (prefix "${check.context['s3:prefix'] ?? ''}")` : check.resource;
  const because = check.ok
    ? `granted by ${check.grantedBy.join(', ')}`
    : check.deniedBy.length > 0
      ? `denied by ${check.deniedBy.join(', ')}`
      : (check.message ?? 'not granted');
  return `  [${check.ok ? 'ok  ' : 'no  '}] ${light.padEnd(9)} ${check.action} on ${target}: ${because}`;
}
