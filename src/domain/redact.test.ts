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

  it('replaces magic codes: magicCode values and code-shaped bucketId values', () => {
    const line =
      '{"url":"/api/v1/messages?title=x&magicCode=ab12cd34&y=2","msg":"/transform?parser=github&bucketId=DEADBEEF"}';
    const out = redactUrlCredentials(line);
    expect(out).not.toContain('ab12cd34');
    expect(out).not.toContain('DEADBEEF');
    expect(out).toContain('magicCode=[redacted]&y=2');
    expect(out).toContain('bucketId=[redacted]"');
    const id = '01a23aa8-72bd-78e4-bfd2-653bbc060988';
    expect(redactUrlCredentials(`{"url":"/x?bucketId=${id}&bucketId=Home"}`)).toContain(id);
  });

  it('leaves other lines and parameters alone', () => {
    expect(redactUrlCredentials('{"url":"/x?tokens=1&mytoken=2"}')).toBe('{"url":"/x?tokens=1&mytoken=2"}');
  });
});
