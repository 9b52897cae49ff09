// A credential_process for the AWS CLI and boto3: signs in to the local issuer and asks the local
// Tessera API for credentials in the credential_process shape. Reads its settings from the JSON
// file named by its first argument: {cognitoIdp, clientId, username, password, api, role}.
import { readFileSync } from 'node:fs';

const s = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const signIn = await fetch(`${s.cognitoIdp}/`, {
  method: 'POST',
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
  },
  body: JSON.stringify({
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: s.clientId,
    AuthParameters: { USERNAME: s.username, PASSWORD: s.password },
  }),
});
if (!signIn.ok) {
  process.stderr.write(`sign-in failed: ${signIn.status} ${await signIn.text()}\n`);
  process.exit(1);
}
const { AuthenticationResult } = await signIn.json();
const vended = await fetch(`${s.api}/v1/credentials?format=credential_process`, {
  method: 'POST',
  headers: {
    authorization: `Bearer ${AuthenticationResult.IdToken}`,
    'content-type': 'application/json',
  },
  body: JSON.stringify({ role: s.role }),
});
if (!vended.ok) {
  process.stderr.write(`vend failed: ${vended.status} ${await vended.text()}\n`);
  process.exit(1);
}
process.stdout.write(await vended.text());
