import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG_PATH,
  LocalConfigError,
  loadLocalConfig,
  parseLocalConfig,
} from '../src/index.js';

const raw = () => JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));

describe('the local config', () => {
  it('the committed default is valid and describes the three jobs', () => {
    const config = loadLocalConfig(DEFAULT_CONFIG_PATH);
    expect(config.userPoolId).toMatch(/^eu-west-1_[A-Za-z0-9]+$/);
    expect(config.clients.map((c) => c.name)).toEqual(['app', 'cli', 'portal']);
    expect(config.bindings.map((b) => b.id)).toEqual([
      'app-upload',
      'eng-readonly',
      'partner-audit',
    ]);
    expect(config.users.find((u) => u.username === 'admin')?.groups).toContain(config.adminGroup);
  });

  it('refuses a bad config with every problem listed', () => {
    const bad = raw();
    bad.userPoolId = 'us-east-1_Wrong';
    bad.accounts[0].id = '123';
    bad.roles[1].maxSessionDuration = 60;
    bad.clients = bad.clients.filter((c: { name: string }) => c.name !== 'cli');
    bad.bindings[0].roleArn = 'arn:aws:iam::111111111111:role/missing';
    bad.users.push({ username: 'alice', groups: [] });
    let error: unknown;
    try {
      parseLocalConfig(bad, 'bad.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LocalConfigError);
    const e = error as LocalConfigError;
    expect(e.code).toBe('InvalidConfig');
    const text = e.problems.join('\n');
    expect(text).toContain('$.userPoolId');
    expect(text).toContain('$.accounts[0].id');
    expect(text).toContain('$.roles[1].maxSessionDuration');
    expect(text).toContain('needs a client "cli"');
    expect(text).toContain('$.bindings[0].roleArn');
    expect(text).toContain('duplicate "alice"');
    expect(e.message).toContain('bad.json is invalid');
  });
});
