import { describe, expect, it } from 'vitest';
import { watchersFromMetrics } from './status.command.ts';

describe('watchersFromMetrics', () => {
  it('sums every herald watchers gauge sample, across label sets', () => {
    const text = [
      '# HELP herald_inbox_watchers Open inbox watchers.',
      '# TYPE herald_inbox_watchers gauge',
      'herald_inbox_watchers{transport="websocket"} 3',
      'herald_inbox_watchers{transport="sse"} 2',
      'herald_delivery_queue_depth{status="pending"} 7',
    ].join('\n');
    expect(watchersFromMetrics(text)).toBe(5);
  });

  it('is null when the server exports no such gauge, and ignores counters', () => {
    expect(watchersFromMetrics('herald_delivery_queue_depth{status="pending"} 7\n')).toBeNull();
    expect(watchersFromMetrics('herald_watchers_opened_total 12\n')).toBeNull();
  });
});
