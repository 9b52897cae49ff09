/**
 * Generated local secrets, persisted under the state directory so a restart keeps them:
 * user passwords and subs (Cognito subs are random UUIDs), IAM users' long-term access keys.
 * Written 0600. Users added to the config later get theirs on the next start.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStackError } from './errors.js';
import type { LocalConfig } from './types.js';

export interface UserSecret {
  readonly sub: string;
  readonly password: string;
}

export interface AccessKeySecret {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface LocalSecrets {
  readonly users: Readonly<Record<string, UserSecret>>;
  readonly iamUsers: Readonly<Record<string, AccessKeySecret>>;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `AKIA`/`ASIA` + 16 upper-case base32 characters, as AWS access key ids look. */
export function newAccessKeyId(prefix: 'AKIA' | 'ASIA'): string {
  return prefix + randomId(16, KEY_ALPHABET);
}

export function newSecretAccessKey(): string {
  return secretAccessKeyFrom(randomBytes(30));
}

/** 40 base64 characters from 30 random bytes, as AWS secret access keys look. */
export function secretAccessKeyFrom(random: Buffer): string {
  return random
    .toString('base64')
    .replace(/[^A-Za-z0-9+/]/g, '')
    .slice(0, 40);
}

export function randomId(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** A password Cognito's default policy accepts: upper, lower, digit, symbol, 20 characters. */
function newPassword(): string {
  const body = randomBytes(15).toString('base64url').replace(/[-_]/g, 'x');
  return `Ts-${body}9a`;
}

export function loadOrCreateSecrets(home: string, config: LocalConfig): LocalSecrets {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const path = join(home, 'secrets.json');
  let stored: { users?: Record<string, UserSecret>; iamUsers?: Record<string, AccessKeySecret> } =
    {};
  if (existsSync(path)) {
    try {
      stored = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new LocalStackError(
        'InvalidState',
        `${path} is not valid JSON; remove it (or the whole state dir) to regenerate`,
        { cause: err },
      );
    }
  }
  const users: Record<string, UserSecret> = { ...(stored.users ?? {}) };
  const iamUsers: Record<string, AccessKeySecret> = { ...(stored.iamUsers ?? {}) };
  let changed = !existsSync(path);
  for (const u of config.users) {
    if (!users[u.username]) {
      users[u.username] = { sub: randomUUID(), password: newPassword() };
      changed = true;
    }
  }
  for (const u of config.iamUsers) {
    if (!iamUsers[u.name]) {
      iamUsers[u.name] = {
        accessKeyId: newAccessKeyId('AKIA'),
        secretAccessKey: newSecretAccessKey(),
      };
      changed = true;
    }
  }
  const secrets = { users, iamUsers };
  if (changed) writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
