import { describe, expect, it } from 'vitest';
import { generateTrustPolicy } from './trust-policy.js';

describe('generateTrustPolicy', () => {
  it("lets only Winnow's principal assume the role, and only with the external ID", () => {
    expect(generateTrustPolicy({ principal: 'arn:aws:iam::111122223333:user/winnow', externalId: 'winnow-7f3a9c2e41' })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'LetWinnowAssumeThisRoleWithTheExternalId',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:user/winnow' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'winnow-7f3a9c2e41' } },
        },
      ],
    });
  });

  it('turns an account id into its root principal', () => {
    expect(generateTrustPolicy({ principal: '111122223333', externalId: 'winnow-7f3a9c2e41' }).Statement[0]!.Principal.AWS).toBe(
      'arn:aws:iam::111122223333:root',
    );
  });

  it('refuses a malformed principal and a short external ID together', () => {
    expect(() => generateTrustPolicy({ principal: 'winnow', externalId: 'short' })).toThrow(/--principal "winnow" must be.*at least 10 characters \(got 5\)/);
  });
});
