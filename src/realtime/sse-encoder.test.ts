import { describe, expect, it } from 'vitest';
import { encodeSse, SSE_HEARTBEAT } from './sse-encoder.ts';

/** Minimal reader following the spec's parsing rules, to check frames round-trip. */
function parseFrame(frame: string): { id?: string; event?: string; data: string } {
  const out: { id?: string; event?: string; data: string } = { data: '' };
  const dataLines: string[] = [];
  for (const line of frame.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') dataLines.push(value);
    if (field === 'id') out.id = value;
    if (field === 'event') out.event = value;
  }
  out.data = dataLines.join('\n');
  return out;
}

describe('encodeSse', () => {
  it('writes id, event and data fields and ends the frame with a blank line', () => {
    expect(encodeSse({ id: '42', event: 'notification', data: 'hello' })).toBe(
      'id: 42\nevent: notification\ndata: hello\n\n',
    );
  });

  it('omits absent id and event', () => {
    expect(encodeSse({ data: 'x' })).toBe('data: x\n\n');
  });

  it('serialises non-string data as JSON', () => {
    const frame = encodeSse({ data: { notification: { id: 'n1' }, unread_count: 3 } });
    expect(frame).toBe('data: {"notification":{"id":"n1"},"unread_count":3}\n\n');
    expect(JSON.parse(parseFrame(frame).data)).toEqual({ notification: { id: 'n1' }, unread_count: 3 });
  });

  it('splits multi-line data on LF, CRLF and CR into several data lines', () => {
    const frame = encodeSse({ data: 'one\ntwo\r\nthree\rfour' });
    expect(frame).toBe('data: one\ndata: two\ndata: three\ndata: four\n\n');
    expect(parseFrame(frame).data).toBe('one\ntwo\nthree\nfour');
  });

  it('keeps empty lines and leading spaces in data', () => {
    const frame = encodeSse({ data: '\n  indented\n' });
    expect(frame).toBe('data: \ndata:   indented\ndata: \n\n');
    expect(parseFrame(frame).data).toBe('\n  indented\n');
  });

  it('sends empty data for an empty string and for undefined', () => {
    expect(encodeSse({ data: '' })).toBe('data: \n\n');
    expect(encodeSse({ data: undefined })).toBe('data: \n\n');
  });

  it('refuses id or event values that would break the frame', () => {
    expect(() => encodeSse({ id: 'a\nb', data: 'x' })).toThrow(TypeError);
    expect(() => encodeSse({ id: 'a\0b', data: 'x' })).toThrow(TypeError);
    expect(() => encodeSse({ event: 'a\rdata: injected', data: 'x' })).toThrow(TypeError);
  });

  it('has a heartbeat that is a comment frame', () => {
    expect(SSE_HEARTBEAT).toBe(': ping\n\n');
    expect(parseFrame(SSE_HEARTBEAT)).toEqual({ data: '' });
  });
});
