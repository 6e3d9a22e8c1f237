import { describe, expect, it } from 'vitest';
import { AppError, type FieldError } from '../domain/errors.ts';
import { type InputMode, readMessageInput } from './message-input.ts';

const base = { title: 'Deploy done', bucketId: 'ops', deliveryType: 'NORMAL' };

function refusal(raw: Record<string, unknown>, mode: InputMode = 'json'): FieldError[] {
  try {
    readMessageInput(raw, mode);
  } catch (err) {
    if (err instanceof AppError) return err.validations;
    throw err;
  }
  throw new Error('the input was accepted');
}

const fields = (raw: Record<string, unknown>, mode: InputMode = 'json') =>
  refusal(raw, mode)
    .map((e) => e.field)
    .sort();

describe('readMessageInput', () => {
  it('reads the minimal body with defaults for everything else', () => {
    expect(readMessageInput(base, 'json')).toEqual({
      bucketRef: 'ops',
      title: 'Deploy done',
      subtitle: null,
      body: null,
      deliveryType: 'NORMAL',
      attachments: [],
      actions: [],
      tapAction: null,
      sound: null,
      snoozes: [],
      locale: null,
      groupId: null,
      collapseId: null,
      userRefs: null,
      addMarkAsReadAction: false,
      addOpenNotificationAction: false,
      addDeleteAction: false,
    });
  });

  it('names every missing required field, treating "" and null as missing', () => {
    expect(fields({})).toEqual(['bucketId', 'title']);
    expect(refusal({ ...base, title: '', bucketId: null })).toEqual([
      { field: 'title', detail: 'is required' },
      { field: 'bucketId', detail: 'is required' },
    ]);
    expect(refusal({ ...base, title: '   ' })).toEqual([{ field: 'title', detail: 'must not be empty' }]);
  });

  it('counts characters, not UTF-16 units, against the limits', () => {
    expect(readMessageInput({ ...base, title: '🔔'.repeat(100) }, 'json').title).toHaveLength(200);
    expect(refusal({ ...base, title: '🔔'.repeat(101) })).toEqual([
      { field: 'title', detail: 'must be at most 100 characters' },
    ]);
  });

  it('names enum, nested and typed fields with the path a client sent', () => {
    const errors = refusal({
      ...base,
      deliveryType: 'LOUD',
      attachments: [{ mediaType: 'IMAGE' }, { mediaType: 'PDF', url: 'not a url' }],
      actions: [{ type: 'NAVIGATE' }, { type: 'EXPLODE', value: 'x' }],
      tapAction: { type: 'NAVIGATE', value: '/x', destructive: 'very' },
      snoozes: [5, -1],
      addDeleteAction: 'yes',
      imageUrl: 'ftp://example.com/x.png',
      title: 5,
    });
    expect(Object.fromEntries(errors.map((e) => [e.field, e.detail]))).toEqual({
      'actions[0].value': 'is required',
      'actions[1].type': expect.stringContaining('NAVIGATE, BACKGROUND_CALL'),
      addDeleteAction: 'must be true or false',
      'attachments[0].url': 'provide either url or attachmentUuid',
      'attachments[1].mediaType': 'must be one of VIDEO, IMAGE, GIF, AUDIO, ICON, FILE',
      'attachments[1].url': 'must be an absolute URL',
      deliveryType: 'must be one of SILENT, NORMAL, CRITICAL, NO_PUSH',
      imageUrl: 'must be an http or https URL',
      'snoozes[1]': 'must be a whole number of minutes between 1 and 525600',
      'tapAction.destructive': 'must be true or false',
      title: 'must be a string',
    });
  });

  it('keeps JSON strict: no string booleans or numbers in a JSON body', () => {
    expect(fields({ ...base, addDeleteAction: 'true', snoozes: ['5'] })).toEqual([
      'addDeleteAction',
      'snoozes[0]',
    ]);
  });

  it('converts text input (query, multipart) to the declared types', () => {
    const input = readMessageInput(
      {
        ...base,
        addDeleteAction: 'TRUE',
        addMarkAsReadAction: 'false',
        snoozes: '5, 10',
        attachments: '[{"mediaType":"IMAGE","url":"https://example.com/a.png","saveOnServer":"false"}]',
        tapAction: '{"type":"NAVIGATE","value":"/x"}',
        userIds: 'bob, carol,bob',
      },
      'text',
    );
    expect(input).toMatchObject({
      addDeleteAction: true,
      addMarkAsReadAction: false,
      snoozes: [5, 10],
      attachments: [{ mediaType: 'IMAGE', url: 'https://example.com/a.png', saveOnServer: false }],
      tapAction: { type: 'NAVIGATE', value: '/x' },
      userRefs: ['bob', 'carol'],
    });
    expect(fields({ ...base, addDeleteAction: 'yes' }, 'text')).toEqual(['addDeleteAction']);
  });

  it('names a field holding invalid JSON, once', () => {
    expect(refusal({ ...base, actions: '[{' }, 'text')).toEqual([
      { field: 'actions', detail: 'is not valid JSON' },
    ]);
    expect(fields({ ...base, userIds: '["a",' })).toEqual(['userIds']);
  });

  it('reads userIds as an array or CSV, each user once, and refuses an empty list', () => {
    expect(readMessageInput({ ...base, userIds: [' a', 'b', 'a'] }, 'json').userRefs).toEqual(['a', 'b']);
    expect(readMessageInput({ ...base, userIds: '["a","b"]' }, 'json').userRefs).toEqual(['a', 'b']);
    expect(refusal({ ...base, userIds: ' , ' })).toEqual([
      { field: 'userIds', detail: 'must name at least one user' },
    ]);
    expect(fields({ ...base, userIds: ['a', 7] })).toEqual(['userIds[1]']);
    expect(fields({ ...base, userIds: 7 })).toEqual(['userIds']);
  });

  it('expands the shortcuts and keeps an explicit tapAction over tapUrl', () => {
    const input = readMessageInput(
      {
        ...base,
        attachments: [{ mediaType: 'AUDIO', attachmentUuid: 'att_1' }],
        imageUrl: 'https://example.com/i.png',
        gifUrl: 'https://example.com/g.gif',
        tapUrl: 'https://example.com/open',
      },
      'json',
    );
    expect(input.attachments).toEqual([
      { mediaType: 'AUDIO', attachmentUuid: 'att_1' },
      { mediaType: 'IMAGE', url: 'https://example.com/i.png' },
      { mediaType: 'GIF', url: 'https://example.com/g.gif' },
    ]);
    expect(input.tapAction).toEqual({ type: 'NAVIGATE', value: 'https://example.com/open' });
    const explicit = readMessageInput(
      { ...base, tapAction: { type: 'SNOOZE', value: '10' }, tapUrl: 'https://example.com/open' },
      'json',
    );
    expect(explicit.tapAction).toEqual({ type: 'SNOOZE', value: '10' });
  });

  it('counts the shortcut attachments against the attachment limit', () => {
    const twenty = Array.from({ length: 20 }, () => ({ mediaType: 'IMAGE', url: 'https://example.com/a' }));
    expect(readMessageInput({ ...base, attachments: twenty }, 'json').attachments).toHaveLength(20);
    expect(refusal({ ...base, attachments: twenty, imageUrl: 'https://example.com/b' })).toEqual([
      { field: 'attachments', detail: 'must have at most 20 items' },
    ]);
  });

  it('ignores unknown fields and drops them from nested objects', () => {
    const input = readMessageInput(
      {
        ...base,
        priority: 'urgent',
        attachments: [{ mediaType: 'GIF', url: 'https://example.com/a.gif', width: 300 }],
        actions: [{ type: 'NAVIGATE', value: '/x', color: 'red' }],
      },
      'json',
    );
    expect(input.attachments).toEqual([{ mediaType: 'GIF', url: 'https://example.com/a.gif' }]);
    expect(input.actions).toEqual([{ type: 'NAVIGATE', value: '/x' }]);
  });

  it('refuses NUL characters in any text, also in fields that skip the request guard', () => {
    expect(refusal({ ...base, subtitle: 'a\u0000b' }, 'text')).toEqual([
      { field: 'subtitle', detail: 'must not contain NUL characters or unpaired surrogates' },
    ]);
    expect(fields({ ...base, actions: [{ type: 'NAVIGATE', value: 'x\uD800' }] })).toEqual([
      'actions[0].value',
    ]);
  });
});
