import { describe, expect, it } from 'vitest';
import { type RoutingInput, routeMessage } from './message-routing.ts';

const both = new Set(['smtp', 'webpush', 'slack']);
const base: RoutingInput = {
  deliveryType: 'NORMAL',
  templateId: null,
  templateMethod: null,
  enabledChannels: both,
  inboxItems: 3,
};
const route = (over: Partial<RoutingInput>) => routeMessage({ ...base, ...over });
const plain = { pushIgnoresPreference: false, pushToOptedOut: false };

describe('message routing', () => {
  it('emails and pushes the inbox recipients over the enabled channels', () => {
    expect(route({})).toEqual({ email: true, push: true, ...plain });
    expect(route({ enabledChannels: new Set(['smtp']) })).toEqual({ email: true, push: false, ...plain });
    expect(route({ enabledChannels: new Set(['webpush']) })).toEqual({ email: false, push: true, ...plain });
  });

  it('sends nothing outside when no outside channel is enabled or nobody got an inbox item', () => {
    expect(route({ enabledChannels: new Set(['slack', 'webhook']) })).toBeNull();
    expect(route({ inboxItems: 0 })).toBeNull();
    expect(route({ inboxItems: 0, deliveryType: 'CRITICAL' })).toBeNull();
  });

  it('never pushes SILENT messages, but still emails them', () => {
    expect(route({ deliveryType: 'SILENT' })).toEqual({ email: true, push: false, ...plain });
    expect(route({ deliveryType: 'SILENT', enabledChannels: new Set(['webpush']) })).toBeNull();
  });

  it("narrows by the template's method, in any letter case", () => {
    const t = { templateId: 'tpl' };
    expect(route({ ...t, templateMethod: 'inbox' })).toBeNull();
    expect(route({ ...t, templateMethod: 'SMTP' })).toEqual({ email: true, push: false, ...plain });
    expect(route({ ...t, templateMethod: 'email' })).toEqual({ email: true, push: false, ...plain });
    expect(route({ ...t, templateMethod: 'webpush' })).toEqual({ email: false, push: true, ...plain });
    expect(route({ ...t, templateMethod: 'push' })).toEqual({ email: false, push: true, ...plain });
    expect(route({ ...t, templateMethod: 'slack' })).toEqual({ email: true, push: true, ...plain });
  });

  it('pushes CRITICAL messages past preferences, even to recipients without an inbox item', () => {
    const critical = { deliveryType: 'CRITICAL', templateId: 'tpl' };
    expect(route(critical)).toEqual({
      email: true,
      push: true,
      pushIgnoresPreference: true,
      pushToOptedOut: true,
    });
    // Everybody muted the template: no inbox item, no email, but the push still goes.
    expect(route({ ...critical, inboxItems: 0 })).toEqual({
      email: false,
      push: false,
      pushIgnoresPreference: true,
      pushToOptedOut: true,
    });
    // Without a template there is no preference to override.
    expect(route({ deliveryType: 'CRITICAL' })).toEqual({
      email: true,
      push: true,
      pushIgnoresPreference: true,
      pushToOptedOut: false,
    });
  });

  it("keeps CRITICAL inside the template's method", () => {
    const critical = { deliveryType: 'CRITICAL', templateId: 'tpl', inboxItems: 0 };
    expect(route({ ...critical, templateMethod: 'inbox' })).toBeNull();
    expect(route({ ...critical, templateMethod: 'email' })).toBeNull();
  });

  it('only ever narrows with a method, so routing without one first is safe', () => {
    const inputs: Partial<RoutingInput>[] = [];
    for (const deliveryType of ['NORMAL', 'SILENT', 'CRITICAL'])
      for (const enabledChannels of [new Set<string>(), new Set(['smtp']), new Set(['webpush']), both])
        for (const inboxItems of [0, 2])
          inputs.push({ deliveryType, enabledChannels, inboxItems, templateId: 'tpl' });
    for (const input of inputs) {
      if (route(input) !== null) continue;
      for (const templateMethod of ['inbox', 'smtp', 'email', 'webpush', 'push', 'other'])
        expect(route({ ...input, templateMethod })).toBeNull();
    }
  });
});
