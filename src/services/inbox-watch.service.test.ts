import { describe, expect, it } from 'vitest';
import type { InboxRow } from '../store/inbox.repository.ts';
import { toInboxItem } from './inbox-item.ts';
import { encodeFrame } from './inbox-watch.service.ts';
import { SharedParts } from './shared-parts.ts';

const row = (over: Partial<InboxRow> = {}): InboxRow => ({
  id: '019cad8f-ac00-7fc7-91ad-000000000001',
  user_id: 'user-1',
  message_id: 'message-1',
  bucket_id: 'bucket-1',
  template_id: null,
  tenant_id: null,
  read_at: null,
  created_at: Date.parse('2026-03-02T08:00:00Z'),
  title: '**Disk** "full" \u2028 on db1',
  subtitle: 'Heads up',
  body: 'Usage at *95%* on [db1](https://example.com/db1)\nline two',
  delivery_type: 'NORMAL',
  attachments: JSON.stringify([{ mediaType: 'ICON', url: 'https://example.com/icon.png' }]),
  actions: JSON.stringify([{ type: 'NAVIGATE', value: 'https://example.com/open', title: 'Open it' }]),
  tap_action: JSON.stringify({ type: 'NAVIGATE', value: '/inbox' }),
  action_url: null,
  entity_type: null,
  entity_id: 'entity-1',
  payload: null,
  ...over,
});

const stringified = (r: InboxRow, unread: number, format: 'markdown' | 'plaintext') =>
  JSON.stringify({ notification: toInboxItem(r, format), unread_count: unread });

describe('encodeFrame', () => {
  it('writes exactly what JSON.stringify writes for the frame, in both formats', () => {
    for (const format of ['markdown', 'plaintext'] as const) {
      const r = row();
      expect(encodeFrame(r, 3, format, new SharedParts())).toBe(stringified(r, 3, format));
    }
  });

  it('reuses the message part for other recipients, and keeps read items and formats apart', () => {
    const shared = new SharedParts();
    const first = row();
    const second = row({ id: '019cad8f-ac00-7fc7-91ad-000000000002', user_id: 'user-"2"' });
    const read = row({ id: '019cad8f-ac00-7fc7-91ad-000000000003', read_at: first.created_at + 5 });
    expect(encodeFrame(first, 1, 'markdown', shared)).toBe(stringified(first, 1, 'markdown'));
    expect(encodeFrame(second, 0, 'markdown', shared)).toBe(stringified(second, 0, 'markdown'));
    expect(encodeFrame(read, 7, 'markdown', shared)).toBe(stringified(read, 7, 'markdown'));
    expect(encodeFrame(second, 2, 'plaintext', shared)).toBe(stringified(second, 2, 'plaintext'));
    expect(JSON.parse(encodeFrame(second, 0, 'markdown', shared)).notification.user_id).toBe('user-"2"');
  });
});
