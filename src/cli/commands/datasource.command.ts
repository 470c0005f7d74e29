import type { Command } from 'commander';
import { LIGHTS } from '../../model/lights.js';
import { verifyDatasource, type VerifyReport } from '../../workflows/verify-datasource.js';
import type { CorsCheck } from '../../datasources/cors-check.js';
import type { PolicyComparison } from '../../policy/compare-with-probes.js';
import type { CommandRunner } from '../command-runner.js';
import { printJson, type Output } from '../render.js';
import { readPolicyText } from '../policy-file.js';
import { printFindings } from '../printers/policy-findings.js';

/** Exit status when list or read fails: the dataset cannot be indexed with dimensions. */
export const VERIFY_FAILED_EXIT = 4;

export function registerDatasourceCommands(program: Command, runner: CommandRunner): void {
  const datasource = program.command('datasource').description("check what a dataset's credentials may do");

  datasource
    .command('verify <dataset>')
    .description('probe list, read, write, overwrite and delete with real calls inside the configured prefixes')
    .option('--policy <file>', 'also check this IAM policy file offline and flag where the probes disagree with it')
    .option('--origin <url>', "the origin the web app is loaded from, for the bucket CORS check (default: winnow serve's address)")
    .option('--json', 'print one JSON object with `checks`, `cors` (and `policy` with --policy)')
    .action(
      runner.run<{ policy?: string; origin?: string; json?: boolean }>(async (context, options, output, [name]) => {
        const report = await verifyDatasource(context, name!, {
          policy: options.policy === undefined ? undefined : await readPolicyText(options.policy),
          appOrigin: options.origin,
        });
        if (options.json) printJson(output, report);
        else printVerifyReport(output, report);
        const readFailed = !report.checks.read.ok && !report.checks.read.skipped;
        return !report.checks.list.ok || readFailed ? VERIFY_FAILED_EXIT : 0;
      }),
    );
}

function printVerifyReport(output: Output, report: VerifyReport): void {
  output.out(`Verifying "${report.dataset}"`);
  output.out(`  input:  ${report.input}`);
  output.out(`  output: ${report.output}.winnow/`);
  for (const light of LIGHTS) {
    const check = report.checks[light];
    const mark = check.ok ? 'ok  ' : check.skipped ? 'skip' : 'FAIL';
    output.out(`  [${mark}] ${light.padEnd(9)} ${check.operation} → ${check.action} on ${check.resource}`);
    if (!check.ok && check.message) output.out(`         ${check.skipped ? '' : `${check.s3Code ?? check.errorCode}: `}${check.message}`);
    if (!check.ok && check.fix) output.out(`         fix: ${check.fix}`);
  }
  if (report.leftBehind)
    output.out(`  note: the probe object ${report.leftBehind} could not be deleted; remove it by hand or allow ${report.checks.delete.action} on .winnow/*.`);
  output.out(report.summary);
  if (report.cors) printCorsCheck(output, report.cors);
  if (report.policy) printPolicyComparison(output, report.policy);
}

function printCorsCheck(output: Output, cors: CorsCheck): void {
  output.out(`CORS (for the web app at ${cors.origin}): ${cors.ok ? 'ok' : 'not allowed'}. ${cors.message}`);
  if (cors.configuration)
    output.out(`  Bucket CORS configuration to apply (S3 console → Permissions → CORS):\n${JSON.stringify(cors.configuration, null, 2).replace(/^/gm, '  ')}`);
}

function printPolicyComparison(output: Output, comparison: PolicyComparison): void {
  const promised = LIGHTS.filter((light) => comparison.promised[light].ok);
  output.out(`Policy file (checked offline): grants ${promised.length > 0 ? promised.join(', ') : 'nothing'}`);
  if (comparison.differences.length === 0) output.out('  The probes found exactly what the policy grants.');
  for (const difference of comparison.differences) {
    output.out(
      `  [DIFF] ${difference.light.padEnd(9)} policy: ${difference.promised ? 'granted' : 'not granted'}, probe: ${difference.observed ? 'ok' : 'failed'}`,
    );
    output.out(`         ${difference.explanation}`);
  }
  printFindings(output, comparison.findings, '  ');
}
