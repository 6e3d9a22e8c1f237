import type { AppContext } from '../context.ts';
import { insertMissingTemplates } from '../store/template.repository.ts';

/**
 * Built-in (kind `system`) templates. Their ids are fixed so every installation — and every
 * client that filters the inbox by template — agrees on them. Text is markdown with
 * `{{placeholders}}`.
 */
export interface SystemTemplate {
  id: string;
  key: string;
  name: string;
  group: string;
  title: string;
  body: string;
  actions?: Array<{ label: string; url: string }>;
  method?: string | null;
}

export const SYSTEM_TEMPLATES = {
  bucketMessage: {
    id: '9d3c1a60-0b1e-4c53-9b2a-5f0e2d7c1a01',
    key: 'BUCKET_MESSAGE',
    name: 'Bucket Message',
    group: 'Messages',
    title: '{{title}}',
    body: '{{body}}',
  },
  // Coder's own ids (coderd's TemplateCustomNotification and TemplateTestNotification), so
  // clients that filter the inbox by them find Herald's items; 0007 moved older installations.
  custom: {
    id: '39b1e189-c857-4b0c-877a-511144c18516',
    key: 'CUSTOM_NOTIFICATION',
    name: 'Custom Notification',
    group: 'Custom Events',
    title: '{{custom_title}}',
    body: '{{custom_message}}',
  },
  test: {
    id: 'c425f63e-716a-4bf4-ae24-78348f706c3f',
    key: 'TEST_NOTIFICATION',
    name: 'Test Notification',
    group: 'Notification Events',
    title: 'A test notification',
    body: 'Hi {{name}}, this is a test notification from Herald. If you can read it, notifications reach you.',
  },
  loginFailed: {
    id: '9d3c1a60-0b1e-4c53-9b2a-5f0e2d7c1a04',
    key: 'AUTH_LOGIN_FAILED',
    name: 'Failed Login',
    group: 'Security Events',
    title: 'Failed login for {{email}}',
    body: 'A login for **{{email}}** failed from {{ipAddress}} ({{userAgent}}).',
  },
  accountLocked: {
    id: '9d3c1a60-0b1e-4c53-9b2a-5f0e2d7c1a05',
    key: 'AUTH_ACCOUNT_LOCKED',
    name: 'Account Locked',
    group: 'Security Events',
    title: 'Account {{email}} locked',
    body: 'The account **{{email}}** was locked after repeated failed logins until {{lockedUntil}}.',
  },
  deliveryFailed: {
    id: '9d3c1a60-0b1e-4c53-9b2a-5f0e2d7c1a06',
    key: 'DELIVERY_FAILED',
    name: 'Delivery Failed',
    group: 'Notification Events',
    title: 'A {{channel}} delivery failed',
    body: 'Delivery {{deliveryId}} over {{channel}} failed: {{error}}',
  },
  ruleTriggered: {
    id: '9d3c1a60-0b1e-4c53-9b2a-5f0e2d7c1a07',
    key: 'RULE_TRIGGERED',
    name: 'Rule Triggered',
    group: 'Notification Events',
    title: '{{title}}',
    body: '{{body}}',
    // A rule's inbox action means the inbox only; its other actions name their own channels.
    method: 'inbox',
  },
} as const satisfies Record<string, SystemTemplate>;

/** Seeds the system templates that are missing; idempotent and safe across processes. */
export async function ensureSystemTemplates(ctx: AppContext): Promise<void> {
  const now = ctx.clock.now();
  await insertMissingTemplates(
    ctx.store.db,
    Object.values(SYSTEM_TEMPLATES).map((t: SystemTemplate) => ({
      id: t.id,
      key: t.key,
      kind: 'system',
      name: t.name,
      group_name: t.group,
      title_template: t.title,
      body_template: t.body,
      actions: JSON.stringify(t.actions ?? []),
      enabled_by_default: 1,
      method: t.method ?? null,
      is_actionable: 0,
      created_at: now,
      updated_at: now,
    })),
  );
}
