import type { Light } from '../model/lights.js';
import { generatePolicy, isIpOrCidr, isKmsKeyArn, isVpcId } from './generate-policy.js';
import type { PolicyDocument } from './policy-document.js';
import type { PolicyScope } from './policy-scope.js';
import type { ReadStatement } from './read-policy.js';

/**
 * The generated policy for the lights a policy grants, keeping its SSE-KMS key and network
 * conditions. Listing is always kept: without it Winnow cannot do anything.
 */
export function tightenPolicy(statements: readonly ReadStatement[], lights: Record<Light, boolean>, scope: PolicyScope): PolicyDocument {
  const allows = statements.filter((statement) => statement.effect === 'Allow');
  return generatePolicy({
    input: scope.input,
    output: scope.output,
    read: lights.read,
    write: lights.write || lights.overwrite,
    delete: lights.delete,
    sseKmsKeyId: allows
      .filter(grantsKms)
      .flatMap((statement) => statement.resources ?? [])
      .find(isKmsKeyArn),
    sourceIps: conditionValues(allows, 'IpAddress', 'aws:SourceIp').filter(isIpOrCidr),
    sourceVpcs: conditionValues(allows, 'StringEquals', 'aws:SourceVpc').filter(isVpcId),
  });
}

function grantsKms(statement: ReadStatement): boolean {
  return (statement.actions ?? []).some((action) => action === '*' || action.toLowerCase().startsWith('kms:'));
}

/** Values of one condition key under one operator (or its IfExists form), across statements, without duplicates. */
function conditionValues(statements: readonly ReadStatement[], operator: string, key: string): string[] {
  const values = statements.flatMap((statement) =>
    Object.entries(statement.conditions)
      .filter(([name]) => name === operator || name === `${operator}IfExists`)
      .flatMap(([, keys]) => Object.entries(keys).filter(([name]) => name.toLowerCase() === key.toLowerCase()))
      .flatMap(([, entries]) => entries),
  );
  return [...new Set(values)];
}
