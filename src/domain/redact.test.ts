import { describe, expect, it } from 'vitest';
import { redactUrlCredentials } from './redact.ts';

describe('redactUrlCredentials', () => {
  it('replaces access_token and token query values wherever they appear in a line', () => {
    const line =
      '{"req":{"url":"/api/v1/inbox/stream?format=sse&access_token=zat_abc&x=1"},"msg":"GET /stream?token=AbC.d-e"}';
    const out = redactUrlCredentials(line);
    expect(out).not.toContain('zat_abc');
    expect(out).not.toContain('AbC.d-e');
    expect(out).toContain('access_token=[redacted]&x=1');
    expect(out).toContain('?token=[redacted]"');
  });

  it('leaves other lines and parameters alone', () => {
    expect(redactUrlCredentials('{"url":"/x?tokens=1&mytoken=2"}')).toBe('{"url":"/x?tokens=1&mytoken=2"}');
  });
});
