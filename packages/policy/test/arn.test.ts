import { describe, expect, it } from 'vitest';
import { compileArnPattern, compileArnPieces, matchArn, splitArn } from '../src/arn.js';

const m = (pattern: string, value: string) => matchArn(compileArnPattern(pattern), value);

describe('splitArn', () => {
  it('splits on the first five colons only', () => {
    expect(splitArn('arn:aws:logs:eu-west-1:111122223333:log-group:g:*')).toEqual([
      'arn',
      'aws',
      'logs',
      'eu-west-1',
      '111122223333',
      'log-group:g:*',
    ]);
    expect(splitArn('arn:aws:s3:::b')).toEqual(['arn', 'aws', 's3', '', '', 'b']);
    expect(splitArn('not-an-arn')).toBeNull();
    expect(splitArn('arn:aws:s3')).toBeNull();
  });
});

describe('matchArn', () => {
  it('matches each segment separately: wildcards do not cross colons', () => {
    expect(m('arn:aws:iam::*:role/x', 'arn:aws:iam::111122223333:role/x')).toBe(true);
    expect(m('arn:aws:iam::*:role/x', 'arn:aws:iam::111122223333:role/y')).toBe(false);
    expect(m('arn:aws:s3:*:*:*', 'arn:aws:s3:::bucket/key')).toBe(true);
    // `*` in the region segment cannot eat the account segment.
    expect(m('arn:aws:iam:*:role/x', 'arn:aws:iam::111122223333:role/x')).toBe(false);
    expect(m('arn:aws:sqs:*:111122223333:q*', 'arn:aws:sqs:eu-west-1:111122223333:queue')).toBe(
      true,
    );
    expect(m('arn:aws:sqs:*:111122223333:q*', 'arn:aws:sqs:eu-west-1:444455556666:queue')).toBe(
      false,
    );
    expect(m('arn:aws:sqs:??-west-1:*:*', 'arn:aws:sqs:eu-west-1:1:q')).toBe(true);
  });

  it('lets a wildcard in the resource segment span further colons', () => {
    expect(
      m('arn:aws:logs:*:*:log-group:app:*', 'arn:aws:logs:eu-west-1:1:log-group:app:log-stream:s'),
    ).toBe(true);
    expect(m('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a:b/c')).toBe(true);
    expect(m('arn:aws:s3:::bucket/*', 'arn:aws:s3:::other/a')).toBe(false);
  });

  it('is case-sensitive', () => {
    expect(m('arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/a')).toBe(false);
  });

  it('requires a six-segment value for a six-segment pattern', () => {
    expect(m('arn:aws:s3:::*', 'bucket')).toBe(false);
    expect(m('arn:aws:s3:::*', '*')).toBe(false);
  });

  it('matches non-ARN patterns as one glob', () => {
    expect(m('*', 'anything:at:all')).toBe(true);
    expect(m('*', '')).toBe(true);
    expect(m('plain', 'plain')).toBe(true);
  });

  it('pads a short arn: pattern with * segments', () => {
    expect(m('arn:aws:*', 'arn:aws:s3:::b')).toBe(true);
    expect(m('arn:aws:s3:*', 'arn:aws:s3:eu-west-1:1:x:y')).toBe(true);
    expect(m('arn:aws:s3:*', 'arn:aws:sqs:eu-west-1:1:x')).toBe(false);
  });

  it('keeps substituted pieces literal', () => {
    const matcher = compileArnPieces([
      { text: 'arn:aws:s3:::b/', wild: true },
      { text: '*', wild: false },
      { text: '/*', wild: true },
    ]);
    expect(matchArn(matcher, 'arn:aws:s3:::b/*/k')).toBe(true);
    expect(matchArn(matcher, 'arn:aws:s3:::b/x/k')).toBe(false);
  });
});
