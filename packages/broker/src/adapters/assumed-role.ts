/**
 * Credentials of an assumed role for the AWS SDK, cached until shortly before they expire: how the
 * audit function reads another account's CloudTrail and the admin function writes another
 * account's revocation policy.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';

const REFRESH_BEFORE_MS = 5 * 60 * 1000;

/**
 * Credentials of a role in another account (the cross-account template's trail reader or
 * revocation writer), assumed with the caller's own credentials through `sts` and renewed five
 * minutes before they expire; one AssumeRole for concurrent callers.
 */
export function assumedRoleCredentials(
  sts: STSClient,
  roleArn: string,
  now: () => number = Date.now,
  sessionName = 'tessera-trail',
): () => Promise<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}> {
  type Session = Awaited<ReturnType<ReturnType<typeof assumedRoleCredentials>>>;
  let current: Promise<Session> | undefined;
  let expires = 0;
  const assume = async (): Promise<Session> => {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: 900,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error(`STS answered no credentials for ${roleArn}`);
    }
    expires = c.Expiration.getTime();
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  };
  return () => {
    if (!current || expires - now() < REFRESH_BEFORE_MS) {
      current = assume();
      expires = Number.POSITIVE_INFINITY;
      current.catch(() => {
        current = undefined;
      });
    }
    return current;
  };
}
