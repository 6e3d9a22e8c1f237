import { describe, expect, it } from 'vitest';
import { readSse, type SseFrame } from './sse-reader.ts';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(enc.encode(c));
      controller.close();
    },
  });
}

async function frames(chunks: string[]): Promise<SseFrame[]> {
  const out: SseFrame[] = [];
  for await (const f of readSse(streamOf(chunks))) out.push(f);
  return out;
}

describe('readSse', () => {
  it('joins data lines, keeps the last id, and yields comments', async () => {
    expect(
      await frames([
        'id: a\nevent: notification\ndata: {"x":\ndata: 1}\n\n',
        ': connected\n\n',
        'data: plain\n\n',
      ]),
    ).toEqual([
      { kind: 'event', id: 'a', event: 'notification', data: '{"x":\n1}' },
      { kind: 'comment', text: 'connected' },
      { kind: 'event', id: 'a', event: 'message', data: 'plain' },
    ]);
  });

  it('handles frames split anywhere, including between CR and LF', async () => {
    expect(await frames(['id: 1\r', '\nda', 'ta: héllo\r\n\r', '\n'])).toEqual([
      { kind: 'event', id: '1', event: 'message', data: 'héllo' },
    ]);
  });

  it('ignores an unterminated last frame (the stream broke mid-frame)', async () => {
    expect(await frames(['data: whole\n\n', 'id: 2\ndata: half'])).toEqual([
      { kind: 'event', id: undefined, event: 'message', data: 'whole' },
    ]);
  });
});
