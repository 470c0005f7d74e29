import type { Command } from 'commander';
import { parseLocation } from '../../model/location.js';
import { LIGHTS } from '../../model/lights.js';
import { AppError } from '../../errors.js';
import { hasErrors, isUnreadable, type PolicyCheck, type PolicyLightCheck } from '../../policy/check-policy.js';
import { checkPolicyWithin } from '../../policy/check-policy-within.js';
import { generatePolicy, promisedLights } from '../../policy/generate-policy.js';
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
    .description('print the minimal identity policy for the chosen capabilities (list and read are always included), or with --trust a role\'s trust policy')
    .option('--input <uri>', 's3://bucket/folder/ to index')
    .option('--output <uri>', 'where Winnow writes, only under <output>/.winnow/ (default: the input)')
    .option('--write', 'allow writing under <output>/.winnow/ (s3:PutObject): the write and overwrite lights')
    .option('--delete', 'allow deleting under <output>/.winnow/ (s3:DeleteObject): the delete light')
    .option('--sse-kms-key-id <arn>', 'KMS key ARN used for SSE-KMS writes (kms:Decrypt, kms:Encrypt, kms:GenerateDataKey via S3)')
    .option('--source-ip <cidr>', 'allow requests only from this IP address or CIDR block (repeatable)', collect, [])
    .option('--source-vpc <id>', 'allow requests only from this VPC (repeatable)', collect, [])
    .option('--trust', 'print the trust policy of a role Winnow assumes (with --principal and --external-id)')
    .option('--principal <arn>', 'with --trust: Winnow\'s own IAM user/role ARN or account id')
    .option('--external-id <id>', 'with --trust: the external ID the role requires (>= 10 characters)')
    .option('--json', 'print { policy, lights }')
    .action(runner.runStandalone<GenerateOptions>(async (options, output) => {
      if (options.trust) {
        if (options.principal === undefined || options.externalId === undefined) {
          throw new AppError('InputInvalid', '--trust needs --principal <Winnow\'s IAM ARN> and --external-id <id>.', { hint: 'Generate an external ID with `openssl rand -hex 16`.' });
        }
        const trust = generateTrustPolicy({ principal: options.principal, externalId: options.externalId });
        return printJson(output, options.json ? { policy: trust } : trust);
      }
      if (options.input === undefined) throw new AppError('InputInvalid', 'policy generate needs --input s3://bucket/folder/ (or --trust for a role\'s trust policy).');
      const request = {
        input: parseLocation(options.input),
        output: options.output === undefined ? undefined : parseLocation(options.output),
        write: options.write === true,
        delete: options.delete === true,
        sseKmsKeyId: options.sseKmsKeyId,
        sourceIps: options.sourceIp,
        sourceVpcs: options.sourceVpc,
      };
      const generated = generatePolicy(request);
      printJson(output, options.json ? { policy: generated, lights: promisedLights(request) } : generated);
    }));

  policy
    .command('check <policy>')
    .description('evaluate a policy file (- for stdin) offline: the lights it grants, what it over-grants, a tightened policy')
    .requiredOption('--input <uri>', 's3://bucket/folder/ the policy is meant for')
    .option('--output <uri>', 'where Winnow writes, only under <output>/.winnow/ (default: the input)')
    .option('--sse-kms-key-id <id>', 'the dataset\'s SSE-KMS key: writes are checked with its encryption headers')
    .option('--json', 'print one object { checks, findings, tightenedPolicy }')
    .action(runner.runStandalone<CheckOptions>(async (options, output, [file]) => {
      const target = { input: parseLocation(options.input), output: options.output === undefined ? undefined : parseLocation(options.output), sseKmsKeyId: options.sseKmsKeyId };
      const check = await checkPolicyWithin(await readPolicyText(file!), target);
      if (options.json) printJson(output, check);
      else printPolicyCheck(output, check, file!);
      if (isUnreadable(check)) return POLICY_UNREADABLE_EXIT;
      return hasErrors(check) ? POLICY_HAS_ERRORS_EXIT : 0;
    }));
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
  const because = check.ok ? `granted by ${check.grantedBy.join(', ')}` : check.deniedBy.length > 0 ? `denied by ${check.deniedBy.join(', ')}` : (check.message ?? 'not granted');
  return `  [${check.ok ? 'ok  ' : 'no  '}] ${light.padEnd(9)} ${check.action} on ${target}: ${because}`;
}


