/**
 * The web-identity vendor's infra, asserted on the documents `npm run synth` writes and evaluated
 * with @tessera/policy: only the vend function's role signs, only with the issuer's key; every
 * role trusting Tessera's OIDC provider conditions on aud and sub (a trust policy that does not is
 * refused), and the example role admits this pool's users for the audience only.
 */
import { evaluate, type Finding, validatePolicy } from '@tessera/policy';
import { describe, expect, it } from 'vitest';
import config from '../../tessera.config.js';
import { resolveStage } from '../config.js';
import type { PolicyDocument } from '../permissions.js';
import { CROSS_ACCOUNT_WEB_IDENTITY_TEMPLATE, synthesize } from '../synth.js';
import { exampleRoles } from '../target-roles.js';
import {
  checkWebIdentityTrust,
  oidcProviderArn,
  signingKeyAlias,
  webIdentityOf,
} from '../web-identity.js';

const production = resolveStage(config, 'production');
const files = synthesize(production);
const web = webIdentityOf(production)!;
const ACCOUNT = production.account;
const KEY = `arn:aws:kms:${production.region}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const PROVIDER = oidcProviderArn(production, web);
const POOL = 'eu-west-1_Pool1';

const role = (kind: string) => files.get(`${kind}-role-policy.json`) as PolicyDocument;
const sessionOf = (kind: string) =>
  `arn:aws:sts::${ACCOUNT}:assumed-role/tessera-production-${kind}/tessera-production-x`;
/**
 * A key policy that delegates to IAM (the account may do anything with the key): what a function
 * role may do then is its identity policy alone. (Without the key policy's permission an IAM
 * Allow has no effect: AWS's rule, and @tessera/policy's.)
 */
const DELEGATING_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};
const sign = (
  kind: string,
  aliases: string[],
  action = 'kms:Sign',
  keyPolicy: object = DELEGATING_KEY_POLICY,
) =>
  evaluate({
    request: {
      action,
      resource: KEY,
      principal: { type: 'AWS', id: sessionOf(kind) },
      context: { 'kms:ResourceAliases': aliases },
    },
    identityPolicies: [role(kind)],
    resourcePolicy: keyPolicy,
  }).decision;

describe('the signing key', () => {
  it('with the deployed key policy, the broker role signs and no other function role can', () => {
    const keyPolicy = files.get('web-identity-key-policy.json') as object;
    const alias = signingKeyAlias(production);
    expect(sign('broker', [alias], 'kms:Sign', keyPolicy)).toBe('Allow');
    for (const kind of ['reader', 'admin', 'basic']) {
      expect(sign(kind, [alias], 'kms:Sign', keyPolicy)).toBe('ImplicitDeny');
    }
  });

  it("the broker role's own policy signs and reads the public key of the key behind the stage alias only", () => {
    const alias = signingKeyAlias(production);
    expect(sign('broker', [alias])).toBe('Allow');
    expect(sign('broker', [alias], 'kms:GetPublicKey')).toBe('Allow');
    expect(sign('broker', ['alias/some-other-key'])).toBe('ImplicitDeny');
    expect(sign('broker', [])).toBe('ImplicitDeny');
    for (const action of [
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:CreateGrant',
      'kms:ScheduleKeyDeletion',
    ]) {
      expect(sign('broker', [alias], action)).toBe('ImplicitDeny');
    }
  });

  it("no other function role's own policy allows signing", () => {
    for (const kind of ['reader', 'admin', 'basic']) {
      expect(sign(kind, [signingKeyAlias(production)])).toBe('ImplicitDeny');
    }
  });

  it('the key policy lets the broker role sign and the account administer, never use, the key', () => {
    const policy = files.get('web-identity-key-policy.json') as object;
    const asPrincipal = (id: string, action: string) =>
      evaluate({
        request: { action, resource: KEY, principal: { type: 'AWS', id } },
        resourcePolicy: policy,
      }).decision;
    const broker = `arn:aws:iam::${ACCOUNT}:role/tessera-production-broker`;
    expect(asPrincipal(broker, 'kms:Sign')).toBe('Allow');
    expect(asPrincipal(broker, 'kms:Decrypt')).toBe('ImplicitDeny');
    expect(asPrincipal(`arn:aws:iam::${ACCOUNT}:root`, 'kms:Sign')).toBe('ImplicitDeny');
    expect(asPrincipal(`arn:aws:iam::${ACCOUNT}:root`, 'kms:DisableKey')).toBe('Allow');
  });
});

describe('roles trusting Tessera as an OIDC provider', () => {
  const workday = exampleRoles({
    ...production,
    userPool: { kind: 'existing', userPoolId: POOL, domainPrefix: 'existing-login' },
  }).find((r) => r.key === 'employee-workday')!;
  const assume = (
    context: Record<string, string>,
    principal = PROVIDER,
    action = 'sts:AssumeRoleWithWebIdentity',
  ) =>
    evaluate({
      request: {
        action,
        resource: workday.arn,
        principal: { type: 'Federated', id: principal },
        context,
      },
      resourcePolicy: workday.trustPolicy,
    }).decision;
  const aud = `${web.domain}:aud`;
  const sub = `${web.domain}:sub`;

  it('every synthesized trust policy naming an OIDC provider conditions on aud and sub', () => {
    const trusts = [...files.entries()].filter(([path]) => path.startsWith('trust/'));
    expect(trusts.map(([path]) => path)).toContain('trust/employee-workday.json');
    for (const [, trust] of trusts) expect(checkWebIdentityTrust(trust)).toEqual([]);
    const template = files.get(CROSS_ACCOUNT_WEB_IDENTITY_TEMPLATE) as {
      Resources: { TesseraWorkdayRole: { Properties: { AssumeRolePolicyDocument: unknown } } };
    };
    const crossTrust = JSON.parse(
      JSON.stringify(
        template.Resources.TesseraWorkdayRole.Properties.AssumeRolePolicyDocument,
      ).replace(/\{"Fn::GetAtt":\["TesseraOidcProvider","Arn"\]\}/, JSON.stringify(PROVIDER)),
    );
    expect(checkWebIdentityTrust(crossTrust)).toEqual([]);
  });

  it('a trust policy that checks no condition (or only aud) is refused', () => {
    const bare = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: PROVIDER },
          Action: 'sts:AssumeRoleWithWebIdentity',
        },
      ],
    };
    expect(checkWebIdentityTrust(bare)).toEqual([
      `Statement[0] trusts ${PROVIDER} without a condition on ${web.domain}:aud`,
      `Statement[0] trusts ${PROVIDER} without a condition on ${web.domain}:sub`,
    ]);
    const audOnly = {
      ...bare,
      Statement: [{ ...bare.Statement[0], Condition: { StringEquals: { [aud]: web.audience } } }],
    };
    expect(checkWebIdentityTrust(audOnly)).toEqual([
      `Statement[0] trusts ${PROVIDER} without a condition on ${web.domain}:sub`,
    ]);
  });

  it("the example role admits this pool's users for the audience, for 12 hours", () => {
    expect(workday.maxSessionDuration).toBe(43_200);
    const ok = { [aud]: web.audience, [sub]: `${POOL}|erin-sub` };
    expect(assume(ok)).toBe('Allow');
    expect(assume(ok, PROVIDER, 'sts:TagSession')).toBe('Allow');
    expect(assume(ok, PROVIDER, 'sts:SetSourceIdentity')).toBe('Allow');
    expect(assume({ ...ok, [aud]: 'another-audience' })).toBe('ImplicitDeny');
    expect(assume({ ...ok, [sub]: 'eu-west-1_Other|erin-sub' })).toBe('ImplicitDeny');
    expect(
      assume(ok, 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com'),
    ).toBe('ImplicitDeny');
    expect(assume(ok, PROVIDER, 'sts:AssumeRole')).toBe('ImplicitDeny');
  });

  it('its trust policy is valid IAM, and the broker role cannot assume it', () => {
    expect(errors(validatePolicy(workday.trustPolicy, { kind: 'trust' }))).toEqual([]);
    const broker = role('broker');
    expect(
      evaluate({
        request: { action: 'sts:AssumeRole', resource: workday.arn },
        identityPolicies: [broker],
      }).decision,
    ).toBe('ImplicitDeny');
  });
});

function errors(findings: readonly Finding[]): readonly Finding[] {
  return findings.filter((f) => f.severity === 'error');
}
