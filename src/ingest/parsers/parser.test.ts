import { describe, expect, it } from 'vitest';
import { BODY_MAX, clip, finishMessage, finishZentikMessage, ParserInputError, TITLE_MAX } from './parser.ts';

describe('clip', () => {
  it('leaves text within the limit alone', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('x'.repeat(10), 10)).toBe('x'.repeat(10));
  });

  it('cuts long text to exactly the limit, ending in an ellipsis', () => {
    const out = clip('a'.repeat(150), TITLE_MAX);
    expect(Array.from(out)).toHaveLength(TITLE_MAX);
    expect(out.endsWith('…')).toBe(true);
  });

  it('never splits an emoji into half a surrogate pair', () => {
    const out = clip('🔥'.repeat(20), 5);
    expect(out).toBe('🔥🔥🔥🔥…');
  });
});

describe('finishMessage', () => {
  it('flattens titles to one line, clips the body and drops empty optionals', () => {
    const out = finishMessage({
      title: 'Disk\n  almost   full',
      subtitle: '   ',
      body: `${'b'.repeat(BODY_MAX + 20)}`,
      deliveryType: 'NORMAL',
      actions: [],
      collapseId: undefined,
    });
    expect(out.title).toBe('Disk almost full');
    expect(out).not.toHaveProperty('subtitle');
    expect(out).not.toHaveProperty('actions');
    expect(out).not.toHaveProperty('collapseId');
    expect(Array.from(out.body ?? '')).toHaveLength(BODY_MAX);
  });
});

describe('finishZentikMessage', () => {
  it("keeps Zentik's text as built, only cutting it to the limits and dropping empty optionals", () => {
    const out = finishZentikMessage({
      title: '🔔 Webhook Active',
      subtitle: '',
      body: 'Type: Repository\n• push\n',
      deliveryType: 'NORMAL',
      attachments: [],
    });
    expect(out).toEqual({
      title: '🔔 Webhook Active',
      body: 'Type: Repository\n• push\n',
      deliveryType: 'NORMAL',
    });
    const long = finishZentikMessage({
      title: 't'.repeat(150),
      body: 'b'.repeat(BODY_MAX + 1),
      deliveryType: 'NORMAL',
    });
    expect(Array.from(long.title)).toHaveLength(TITLE_MAX);
    expect(Array.from(long.body ?? '')).toHaveLength(BODY_MAX);
    expect(long.body?.endsWith('…')).toBe(true);
  });
});

describe('ParserInputError', () => {
  it('is an Error that names the offending field', () => {
    const error = new ParserInputError('payload is missing "status"', 'status');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ParserInputError');
    expect(error.field).toBe('status');
  });
});
