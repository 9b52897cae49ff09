/** Credentials vended through the stack's HTTP API as the README shows: sign in, POST /v1/credentials. */
import type { LocalStack } from '../../src/index.js';
import type { Credentials } from '../clients/run.js';
import { signIn } from '../helpers.js';

export interface Vended {
  readonly credentials: Credentials;
  /** The user's `sub` claim: the prefix job 1 allows. */
  readonly sub: string;
}

export async function vend(
  stack: LocalStack,
  username: string,
  role: string,
  client = 'app',
): Promise<Vended> {
  const user = stack.info.users.find((u) => u.username === username);
  if (!user) throw new Error(`no user ${username}`);
  const { body } = await signIn(
    stack.info.cognitoIdp,
    stack.info.issuer.clients[client]!,
    username,
    user.password,
  );
  const token = body.AuthenticationResult.IdToken;
  const res = await fetch(`${stack.info.api}/v1/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role }),
  });
  if (res.status !== 200)
    throw new Error(`vend ${role} for ${username}: ${res.status} ${await res.text()}`);
  const { accessKeyId, secretAccessKey, sessionToken } = (
    (await res.json()) as { credentials: Required<Credentials> }
  ).credentials;
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
    sub: string;
  };
  return { credentials: { accessKeyId, secretAccessKey, sessionToken }, sub: claims.sub };
}
