import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh state directory, removed by the returned cleanup. */
export function tempHome(): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), 'tessera-local-'));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export interface SignInBody {
  readonly AuthenticationResult: {
    readonly IdToken: string;
    readonly AccessToken: string;
    readonly RefreshToken?: string;
  };
}

export async function signIn(
  cognitoIdp: string,
  clientId: string,
  username: string,
  password: string,
) {
  const res = await fetch(`${cognitoIdp}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
    },
    body: JSON.stringify({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  });
  return { status: res.status, body: (await res.json()) as SignInBody };
}

/** A JSON object answer, read as string-keyed fields (tests assert on them). */
export async function jsonObject(
  res: Response,
): Promise<Record<string, unknown> & { keys?: Record<string, unknown>[] }> {
  return (await res.json()) as Record<string, unknown>;
}
