/**
 * What end-to-end tests ask of a running local stack, written once: a user's ID token from the
 * local Cognito-shaped issuer (the real Cognito client, USER_PASSWORD_AUTH), and every audit
 * event in the stack's audit table (a paged Scan).
 */
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '@tessera/local';

/** The seeded user's ID token, signed in through the named app client (`app`, `cli`, `portal`). */
export async function signInIdToken(
  stack: LocalStack,
  username: string,
  client = 'app',
): Promise<string> {
  const user = stack.info.users.find((u) => u.username === username);
  if (!user) throw new Error(`no seeded user ${username}`);
  const idp = new CognitoIdentityProviderClient({
    region: stack.info.region,
    endpoint: stack.info.cognitoIdp,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
  try {
    const out = await idp.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: stack.info.issuer.clients[client],
        AuthParameters: { USERNAME: username, PASSWORD: user.password },
      }),
    );
    return out.AuthenticationResult!.IdToken!;
  } finally {
    idp.destroy();
  }
}

/** Every item of the stack's audit table `table`, all pages. */
export async function scanAuditTable(
  stack: LocalStack,
  table: string,
): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: stack.info.region,
      endpoint: stack.info.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  try {
    do {
      const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      out.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    doc.destroy();
  }
  return out;
}
