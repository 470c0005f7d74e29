import { describe, expect, it } from 'vitest';
import { readOnlyPolicy, referencePolicy } from '../../test/support/policies.js';
import { parseLocation } from '../model/location.js';
import type { Light, VerifyCheck } from '../model/lights.js';
import { isAppError } from '../errors.js';
import { checkPolicy } from './check-policy.js';
import { checkUsablePolicy, compareWithProbes } from './compare-with-probes.js';

const scope = { input: parseLocation('s3://datalake/projects/farm-animals/') };

function probes(results: Partial<Record<Light, 'ok' | 'denied' | 'skipped'>>): Record<Light, VerifyCheck> {
  const probe = (result: 'ok' | 'denied' | 'skipped' = 'ok'): VerifyCheck => ({
    ok: result === 'ok',
    skipped: result === 'skipped',
    operation: 'X',
    action: 's3:X',
    resource: 'arn:aws:s3:::datalake/x',
    ...(result === 'denied' ? { errorCode: 'DatasourceAccessDenied', s3Code: 'AccessDenied', message: 'denied' } : {}),
  });
  return {
    list: probe(results.list),
    read: probe(results.read),
    write: probe(results.write),
    overwrite: probe(results.overwrite),
    delete: probe(results.delete),
  };
}

describe('compareWithProbes', () => {
  it('blames something beyond the policy when a granted light is denied', async () => {
    const check = await checkPolicy(referencePolicy('datalake', 'projects/farm-animals/'), scope);
    const comparison = compareWithProbes(check, probes({ write: 'denied', overwrite: 'skipped', delete: 'skipped' }));
    expect(comparison.differences).toEqual([
      { light: 'write', promised: true, observed: false, explanation: expect.stringContaining('a bucket policy, an SCP or RCP, a permissions boundary') },
    ]);
    expect(comparison.promised.write.ok).toBe(true);
    expect(comparison.findings.map((finding) => finding.code)).toContain('bucket-wide-listing');
  });

  it('says the credentials hold more than the file when a probe succeeds that the policy does not grant', async () => {
    const check = await checkPolicy(readOnlyPolicy('datalake', 'projects/farm-animals/'), scope);
    const comparison = compareWithProbes(check, probes({}));
    expect(comparison.differences.map((difference) => difference.light)).toEqual(['write', 'overwrite', 'delete']);
    expect(comparison.differences[0]?.explanation).toContain('hold more than this policy');
  });

  it('finds no difference when the probes match the policy', async () => {
    const check = await checkPolicy(readOnlyPolicy('datalake', 'projects/farm-animals/'), scope);
    expect(compareWithProbes(check, probes({ write: 'denied', overwrite: 'skipped', delete: 'skipped' })).differences).toEqual([]);
  });
});

describe('checkUsablePolicy', () => {
  it('stops on a policy that cannot be read, naming the first problem', async () => {
    const error = await checkUsablePolicy('{"Version": "2012-10-17", "Statement": [}', scope).catch((caught: unknown) => caught);
    expect(isAppError(error, 'PolicyInvalid')).toBe(true);
    expect((error as Error).message).toBe("The policy file cannot be used: The policy is not valid JSON: line 1, column 41: Unexpected token '}'.");
  });
});
