/**
 * A local STS endpoint for tests (no STS runs here): answers AssumeRole like AWS does,
 * after checking the caller's SigV4 signature, the role's trusted principals and its
 * ExternalId, and registers the temporary keys it issues with the policy-enforcing
 * S3 proxy under the role's permissions policy.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PolicyProxy } from './s3-policy-proxy.js';
import { checkSignature, parseSigV4, S3AuthError } from './sigv4.js';

export interface TestRole {
  roleArn: string;
  /** Access key ids allowed to assume the role (the trust policy's principals). */
  trustedAccessKeyIds: string[];
  /** The trust policy's sts:ExternalId condition; undefined means none required. */
  externalId: string | undefined;
  /** Permissions of the role's sessions, enforced by the S3 proxy. */
  policy: object;
  /** Caps session length below what the caller asks, to exercise refreshing. */
  maxSessionSeconds?: number;
}

export interface AssumeRoleCall {
  callerAccessKeyId: string;
  roleArn: string;
  externalId: string | undefined;
  sessionName: string;
  durationSeconds: number;
  outcome: 'issued' | 'AccessDenied' | 'SignatureDoesNotMatch' | 'InvalidClientTokenId' | 'ValidationError';
  issuedAccessKeyId?: string;
}

export interface StsServer {
  endpoint: string;
  calls: AssumeRoleCall[];
  stop(): Promise<void>;
}

export async function startStsServer(options: {
  proxy: PolicyProxy;
  roles: TestRole[];
  baseUsers: Array<{ accessKeyId: string; secretAccessKey: string }>;
}): Promise<StsServer> {
  const calls: AssumeRoleCall[] = [];
  const server = createServer((request, response) => {
    void handle(request, response, options, calls).catch((error: unknown) => {
      reply(response, 500, errorXml('Receiver', 'InternalFailure', String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: { proxy: PolicyProxy; roles: TestRole[]; baseUsers: Array<{ accessKeyId: string; secretAccessKey: string }> },
  calls: AssumeRoleCall[],
): Promise<void> {
  const body = await readBody(request);
  const form = new URLSearchParams(body.toString('utf8'));
  const [rawPath, rawQuery = ''] = (request.url ?? '/').split('?', 2) as [string, string?];
  // Unlike S3, STS need not send the body's hash as a header; the S3-shaped verifier expects one.
  const sendsHash = request.rawHeaders.some((name, index) => index % 2 === 0 && name.toLowerCase() === 'x-amz-content-sha256');
  const rawHeaders = sendsHash ? request.rawHeaders : [...request.rawHeaders, 'x-amz-content-sha256', createHash('sha256').update(body).digest('hex')];
  const call: AssumeRoleCall = {
    callerAccessKeyId: '',
    roleArn: form.get('RoleArn') ?? '',
    externalId: form.get('ExternalId') ?? undefined,
    sessionName: form.get('RoleSessionName') ?? '',
    durationSeconds: Number(form.get('DurationSeconds') ?? 3600),
    outcome: 'ValidationError',
  };
  calls.push(call);
  if (form.get('Action') !== 'AssumeRole') return reply(response, 400, errorXml('Sender', 'InvalidAction', `Unsupported action ${form.get('Action')}`));

  let caller: { accessKeyId: string; secretAccessKey: string } | undefined;
  try {
    const auth = parseSigV4({ method: request.method ?? 'POST', rawPath, rawQuery, rawHeaders });
    caller = options.baseUsers.find((user) => user.accessKeyId === auth?.scope.accessKeyId);
    call.callerAccessKeyId = auth?.scope.accessKeyId ?? '';
    if (!auth || !caller) {
      call.outcome = 'InvalidClientTokenId';
      return reply(response, 403, errorXml('Sender', 'InvalidClientTokenId', 'The security token included in the request is invalid.'));
    }
    if (
      auth.scope.service !== 'sts' ||
      !checkSignature({ method: request.method ?? 'POST', rawPath, rawQuery, rawHeaders }, auth, caller.secretAccessKey).matches
    ) {
      call.outcome = 'SignatureDoesNotMatch';
      return reply(
        response,
        403,
        errorXml('Sender', 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'),
      );
    }
  } catch (error) {
    call.outcome = 'InvalidClientTokenId';
    return reply(response, 400, errorXml('Sender', error instanceof S3AuthError ? error.code : 'IncompleteSignature', String(error)));
  }

  const role = options.roles.find((candidate) => candidate.roleArn === call.roleArn);
  const principal = `arn:aws:iam::111122223333:user/${caller.accessKeyId}`;
  if (!role || !role.trustedAccessKeyIds.includes(caller.accessKeyId) || (role.externalId !== undefined && role.externalId !== call.externalId)) {
    call.outcome = 'AccessDenied';
    return reply(
      response,
      403,
      errorXml('Sender', 'AccessDenied', `User: ${principal} is not authorized to perform: sts:AssumeRole on resource: ${call.roleArn}`),
    );
  }
  if (call.durationSeconds < 900 || call.durationSeconds > 43_200) {
    return reply(response, 400, errorXml('Sender', 'ValidationError', 'DurationSeconds must be between 900 and 43200.'));
  }

  const seconds = Math.min(call.durationSeconds, role.maxSessionSeconds ?? call.durationSeconds);
  const expiration = new Date(Date.now() + seconds * 1000);
  const issued = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(20).toString('base64'),
    sessionToken: randomBytes(48).toString('base64'),
  };
  options.proxy.addUser({ ...issued, sessionExpiresAt: expiration, policy: role.policy });
  call.outcome = 'issued';
  call.issuedAccessKeyId = issued.accessKeyId;
  const roleName = role.roleArn.split('/').at(-1);
  reply(
    response,
    200,
    `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${issued.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>
      <SessionToken>${issued.sessionToken}</SessionToken>
      <Expiration>${expiration.toISOString()}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/${roleName}/${call.sessionName}</Arn>
      <AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${call.sessionName}</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>${randomBytes(8).toString('hex')}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`,
  );
}

function errorXml(type: string, code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomBytes(8).toString('hex')}</RequestId></ErrorResponse>`;
}

function reply(response: ServerResponse, status: number, xml: string): void {
  response.writeHead(status, { 'content-type': 'text/xml' });
  response.end(xml);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
