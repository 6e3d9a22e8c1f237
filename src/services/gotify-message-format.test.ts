import { describe, expect, it } from 'vitest';
import { markdownToPlaintext } from '../templates/markdown-plaintext.ts';
import {
  deliveryTypeOf,
  escapeMarkdown,
  priorityOf,
  readExtras,
  unescapeMarkdown,
} from './gotify-message-format.ts';

const PLAIN = [
  'Backup *done* at 03:00 (took 5_000 ms)',
  '# not a heading\n- not a list\n1. not ordered\n+ nor this\n===',
  'path C:\\temp\\new, <b>bold</b> & [link](http://x) `code` ~~s~~ | pipe',
  'trailing backslash \\',
  'an entity stays text: a &amp; b',
];

describe('plain Gotify text kept as markdown', () => {
  it.each(PLAIN)('renders as the text it was and unescapes exactly: %j', (text) => {
    const md = escapeMarkdown(text);
    expect(unescapeMarkdown(md)).toBe(text);
    expect(markdownToPlaintext(md)).toBe(text.trim());
  });

  it('renders markup characters literally', () => {
    expect(markdownToPlaintext(escapeMarkdown('Backup *done* for [x](y)'))).toBe('Backup *done* for [x](y)');
    expect(markdownToPlaintext(escapeMarkdown('1. first'))).toBe('1. first');
    expect(markdownToPlaintext(escapeMarkdown('- item'))).toBe('- item');
  });
});

describe('priority ↔ deliveryType', () => {
  it('maps the Gotify bands', () => {
    expect([-1, 0, 1, 4, 5, 7, 8, 10, 11].map(deliveryTypeOf)).toEqual([
      'SILENT',
      'SILENT',
      'NORMAL',
      'NORMAL',
      'NORMAL',
      'NORMAL',
      'CRITICAL',
      'CRITICAL',
      'CRITICAL',
    ]);
    for (const t of ['SILENT', 'NORMAL', 'CRITICAL']) expect(deliveryTypeOf(priorityOf(t))).toBe(t);
  });
});

describe('extras', () => {
  it('reads markdown, the click URL and the big image', () => {
    expect(
      readExtras({
        'client::display': { contentType: 'text/markdown' },
        'client::notification': { click: { url: 'https://example.com/x' }, bigImageUrl: 'https://i/x.png' },
      }),
    ).toEqual({
      markdown: true,
      tapAction: { type: 'NAVIGATE', value: 'https://example.com/x' },
      attachments: [{ mediaType: 'IMAGE', url: 'https://i/x.png' }],
    });
    expect(readExtras({ 'client::display': { contentType: 'text/plain' } }).markdown).toBe(false);
    expect(readExtras(undefined)).toEqual({ markdown: false, tapAction: null, attachments: [] });
  });
});
