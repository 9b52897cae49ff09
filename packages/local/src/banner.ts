/**
 * The banner `npm start` prints: where everything runs, who can sign in, and a session that works
 * as printed: curl signs in and vends, then the AWS CLI and boto3 use the credentials (no jq), and
 * the session ends with job 1 through the local S3: an upload under the user's own prefix, and
 * one elsewhere that S3 refuses.
 */
import type { StackInfo } from './types.js';

export function banner(info: StackInfo, tokenUse: 'id' | 'access' | null): string {
  const bucket = info.buckets[0] ?? 'tessera-local-media';
  const s3 = `--endpoint-url ${info.s3} --region ${info.region}`;
  const alice = info.users.find((u) => u.username === 'alice') ?? info.users[0];
  const appClient = info.issuer.clients.app ?? Object.values(info.issuer.clients)[0] ?? '';
  const tokenField = tokenUse === 'access' ? 'AccessToken' : 'IdToken';
  const users = info.users
    .map(
      (u) =>
        `    ${u.username.padEnd(8)} ${u.password}  ${u.groups.length ? `(${u.groups.join(', ')})` : ''}`,
    )
    .join('\n');
  return `
Tessera local stack is up (pid ${info.pid}, state in ${info.home})
  API          ${info.api}
  issuer       ${info.issuer.url}
               user pool ${info.issuer.userPoolId}, JWKS ${info.issuer.jwks}
  cognito-idp  ${info.cognitoIdp}   (OAuth2 hosted UI: ${info.oauth2}/oauth2/authorize)
  STS          ${info.sts}
  IAM          ${info.iam}
  DynamoDB     ${info.dynamodb}
  S3           ${info.s3}   (path-style; buckets: ${info.buckets.join(', ')})
  federation   ${info.federation}   (console sign-in links)
  clients      ${Object.entries(info.issuer.clients)
    .map(([k, v]) => `${k}=${v}`)
    .join('  ')}
  users (passwords also in ${info.home}/local.json)
${users}
  bindings     ${info.bindings.join(', ')}

Try it (copy-paste):

  API=${info.api}
  TOKEN=$(curl -s ${info.cognitoIdp}/ \\
    -H 'content-type: application/x-amz-json-1.1' \\
    -H 'x-amz-target: AWSCognitoIdentityProviderService.InitiateAuth' \\
    -d '{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"${appClient}","AuthParameters":{"USERNAME":"${alice?.username}","PASSWORD":"${alice?.password}"}}' \\
    | node -pe 'JSON.parse(require("fs").readFileSync(0,"utf8")).AuthenticationResult.${tokenField}')
  CREDS=$(curl -s -X POST "$API/v1/credentials?format=credential_process" \\
    -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
    -d '{"role":"app-upload"}')
  eval "$(echo "$CREDS" | node -e '
    const c = JSON.parse(require("fs").readFileSync(0, "utf8"));
    console.log("export AWS_ACCESS_KEY_ID=" + c.AccessKeyId + " AWS_SECRET_ACCESS_KEY=" + c.SecretAccessKey
      + " AWS_SESSION_TOKEN=" + c.SessionToken);')"
  aws sts get-caller-identity --endpoint-url ${info.sts} --region ${info.region}
  python3 -c 'import boto3; print(boto3.client("sts", endpoint_url="${info.sts}", region_name="${info.region}").get_caller_identity()["Arn"])'
  SUB=$(node -pe 'JSON.parse(Buffer.from(process.argv[1].split(".")[1], "base64url")).sub' "$TOKEN")
  echo 'hello from the local stack' > hello.txt
  aws s3 cp hello.txt "s3://${bucket}/uploads/$SUB/hello.txt" ${s3}
  aws s3 cp hello.txt s3://${bucket}/uploads/someone-else/hello.txt ${s3} \\
    || echo 'refused, as it should be: only uploads/<your sub>/ is yours'

  # Why is ${alice?.username} refused partner-audit? Then a console sign-in link (open its url):
  curl -s -X POST "$API/v1/simulate" -H "authorization: Bearer $TOKEN" \\
    -H 'content-type: application/json' -d '{"role":"partner-audit"}'
  curl -s -X POST "$API/v1/console" -H "authorization: Bearer $TOKEN" \\
    -H 'content-type: application/json' -d '{"role":"app-upload"}'

Ctrl-C stops everything. Reset all local state: rm -rf ${info.home}
`;
}
