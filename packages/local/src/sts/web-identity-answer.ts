/** The local STS's AssumeRoleWithWebIdentity answer in STS's XML (server.ts routes to it unsigned). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Directory } from '../iam/directory.js';
import { STS_NS, sendQueryResult } from '../query.js';
import type { OidcProviders } from './oidc-providers.js';
import type { SessionRegistry } from './sessions.js';
import { assumeRoleWithWebIdentity } from './web-identity.js';

export async function answerWebIdentity(
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
  deps: {
    directory: Directory;
    registry: SessionRegistry;
    providers: OidcProviders;
    region: string;
    now: () => number;
  },
  requestId: string,
): Promise<void> {
  const { session, identity, packedPolicySize } = await assumeRoleWithWebIdentity(
    {
      roleArn: params.RoleArn,
      roleSessionName: params.RoleSessionName,
      webIdentityToken: params.WebIdentityToken,
      durationSeconds: params.DurationSeconds,
      policy: params.Policy,
    },
    {
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      userAgent: String(req.headers['user-agent'] ?? ''),
      region: deps.region,
      now: deps.now(),
    },
    deps,
  );
  sendQueryResult(
    res,
    STS_NS,
    'AssumeRoleWithWebIdentity',
    {
      SubjectFromWebIdentityToken: String(identity.payload.sub ?? ''),
      Audience: identity.audience,
      AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.arn },
      Credentials: {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        SessionToken: session.sessionToken,
        Expiration: session.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      Provider: identity.provider.issuer,
      PackedPolicySize: packedPolicySize,
      SourceIdentity: session.sourceIdentity,
    },
    requestId,
  );
}
