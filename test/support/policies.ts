/**
 * IAM identity policies used by the end-to-end tests. Each builder takes a bucket
 * name and a "folder" prefix that always ends with `/`.
 */

export interface IamPolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: IamPolicyStatement[];
}

/**
 * The policy from the S3 IAM user access guide (s3-iam-user-access.rst), verbatim,
 * with `datalake` replaced by `bucket` and `projects/farm-animals/` by `prefix`.
 * Known flaw kept on purpose: ListBucket has no `s3:prefix` condition, so the
 * user can list the whole bucket.
 */
export function referencePolicy(bucket: string, prefix: string): IamPolicy {
  assertFolderPrefix(prefix);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'VisualEditor0',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: [bucketArn(bucket), `${bucketArn(bucket)}/${prefix}*`],
      },
      {
        Sid: 'VisualEditor1',
        Effect: 'Allow',
        Action: 's3:*',
        Resource: [`${bucketArn(bucket)}/${prefix}*`],
      },
    ],
  };
}

/** The reference policy with listing restricted to `prefix` by an `s3:prefix` condition. */
export function prefixConditionPolicy(bucket: string, prefix: string): IamPolicy {
  const [listStatement, objectStatement] = referencePolicy(bucket, prefix).Statement as [IamPolicyStatement, IamPolicyStatement];
  return {
    Version: '2012-10-17',
    Statement: [{ ...listStatement, Condition: listPrefixCondition(prefix) }, objectStatement],
  };
}

/** List inside `prefix` and read objects under it; nothing else. */
export function readOnlyPolicy(bucket: string, prefix: string): IamPolicy {
  assertFolderPrefix(prefix);
  return {
    Version: '2012-10-17',
    Statement: [
      listInsidePrefixStatement(bucket, prefix),
      {
        Sid: 'ReadObjectsInsidePrefix',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: `${bucketArn(bucket)}/${prefix}*`,
      },
    ],
  };
}

/** Only list inside `prefix`: every object read or write is denied. */
export function listOnlyPolicy(bucket: string, prefix: string): IamPolicy {
  assertFolderPrefix(prefix);
  return { Version: '2012-10-17', Statement: [listInsidePrefixStatement(bucket, prefix)] };
}

function listInsidePrefixStatement(bucket: string, prefix: string): IamPolicyStatement {
  return {
    Sid: 'ListInsidePrefix',
    Effect: 'Allow',
    Action: 's3:ListBucket',
    Resource: bucketArn(bucket),
    Condition: listPrefixCondition(prefix),
  };
}

function listPrefixCondition(prefix: string): IamPolicyStatement['Condition'] {
  return { StringLike: { 's3:prefix': [prefix, `${prefix}*`] } };
}

function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

function assertFolderPrefix(prefix: string): void {
  if (!prefix.endsWith('/')) {
    throw new Error(`policy prefix must end with "/": ${JSON.stringify(prefix)}`);
  }
}
