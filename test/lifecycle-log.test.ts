import { Logger, redact, REDACTED, registerSensitive, setLogSink } from '../lib/lifecycle/log';

describe('redact', () => {
  test('masks values under credential keys at any depth, and keeps the harmless ones', () => {
    expect(redact({
      clientSecret: 's',
      headers: { Authorization: 'Bearer abc', accept: 'json' },
      access_token: 't',
      token_type: 'bearer',
      ResponseURL: 'https://x',
      SecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x',
      clientId: 'id',
      list: [{ password: 'p' }],
    })).toEqual({
      clientSecret: REDACTED,
      headers: { Authorization: REDACTED, accept: 'json' },
      access_token: REDACTED,
      token_type: 'bearer',
      ResponseURL: REDACTED,
      SecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x',
      clientId: 'id',
      list: [{ password: REDACTED }],
    });
  });

  test('masks pre-signed URLs and HTTP credentials inside text', () => {
    const text = 'answer to https://bucket.s3.amazonaws.com/k?X-Amz-Signature=abc123 ' +
      'with Bearer abcdefghijkl';

    expect(redact(text)).toBe(`answer to ${REDACTED} with Bearer ${REDACTED}`);
  });

  test('masks registered values wherever they appear, errors included', () => {
    registerSensitive('registered-value-1');

    expect(redact({ note: 'x registered-value-1 y', error: new Error('registered-value-1') }))
      .toEqual({ note: `x ${REDACTED} y`, error: { name: 'Error', message: REDACTED } });
  });
});

describe('Logger', () => {
  test('writes one JSON line with a lowercase message, the context and the data', () => {
    const lines: string[] = [];
    const restore = setLogSink((line) => lines.push(line));
    try {
      new Logger({ requestType: 'Create' }).child({ logicalResourceId: 'Integration' })
        .warn('Integration Deleted', { integrationId: 'i-1', clientSecret: 'x' });
    } finally {
      setLogSink(restore);
    }

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      timestamp: expect.any(String),
      level: 'warn',
      message: 'integration deleted',
      requestType: 'Create',
      logicalResourceId: 'Integration',
      integrationId: 'i-1',
      clientSecret: REDACTED,
    });
  });
});
