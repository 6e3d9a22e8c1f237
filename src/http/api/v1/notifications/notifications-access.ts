import type { RouteAccess } from '../../../plugins/app/auth.plugin.ts';

/** Every `/api/v1/notifications/*` route: admin-scoped tokens of users with the permission. */
export const notificationsAccess = {
  scope: 'admin',
  permission: 'settings.notifications',
} as const satisfies RouteAccess;
