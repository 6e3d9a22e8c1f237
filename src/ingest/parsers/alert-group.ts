/**
 * The Alertmanager notification shape, shared by Prometheus Alertmanager's webhook (v4) and
 * Grafana's unified alerting webhook, which extends it. A notification is one *group*: alerts
 * that share the route's group-by labels, some of them possibly already resolved.
 */

import { type DeliveryType, ParserInputError } from './parser.ts';
import { asNumber, asObject, asObjects, asString, type JsonObject, plural } from './payload-reader.ts';

// A push notification shows a handful of lines; beyond that the UI link is the better view.
const ALERTS_LISTED = 8;

export interface AlertGroup {
  status: 'firing' | 'resolved';
  alerts: JsonObject[];
  firing: JsonObject[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL?: string;
  groupKey?: string;
  /** Alerts Alertmanager left out of the payload because of the receiver's `max_alerts`. */
  truncatedAlerts: number;
}

/** Label and annotation maps hold strings only; anything else is dropped rather than trusted. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(asObject(value) ?? {})) {
    const text = asString(raw);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

export function readAlertGroup(payload: JsonObject, source: string): AlertGroup {
  const status = asString(payload.status)?.toLowerCase();
  if (status !== 'firing' && status !== 'resolved') {
    throw new ParserInputError(`${source} payload is missing "status" (firing or resolved)`, 'status');
  }
  if (!Array.isArray(payload.alerts)) {
    throw new ParserInputError(`${source} payload is missing the "alerts" array`, 'alerts');
  }
  const alerts = asObjects(payload.alerts);
  return {
    status,
    alerts,
    firing: alerts.filter((alert) => asString(alert.status)?.toLowerCase() !== 'resolved'),
    groupLabels: stringMap(payload.groupLabels),
    commonLabels: stringMap(payload.commonLabels),
    commonAnnotations: stringMap(payload.commonAnnotations),
    externalURL: asString(payload.externalURL),
    groupKey: asString(payload.groupKey),
    truncatedAlerts: asNumber(payload.truncatedAlerts) ?? 0,
  };
}

/** The alert's name as people say it: the shared alertname, else the group-by values. */
export function groupName(group: AlertGroup): string {
  const values = Object.values(group.groupLabels);
  return group.commonLabels.alertname ?? (values.length > 0 ? values.join(' ') : 'alert');
}

/** `[FIRING:2] InstanceDown`: Alertmanager's own default title, which operators recognise. */
export function groupTitle(group: AlertGroup): string {
  const count = group.status === 'firing' ? `:${group.firing.length}` : '';
  return `[${group.status.toUpperCase()}${count}] ${groupName(group)}`;
}

// Only "critical" escalates: "warning" and "info" are meant to wait until someone looks.
export function groupDelivery(group: AlertGroup): DeliveryType {
  if (group.status === 'resolved') return 'NORMAL';
  const severities = [
    group.commonLabels.severity,
    ...group.firing.map((alert) => stringMap(alert.labels).severity),
  ];
  return severities.some((severity) => severity?.toLowerCase() === 'critical') ? 'CRITICAL' : 'NORMAL';
}

function annotationText(annotations: Record<string, string>): string | undefined {
  return annotations.summary ?? annotations.description ?? annotations.message;
}

/** One line per alert: what sets it apart from its group, then its own summary. */
function alertLine(alert: JsonObject, group: AlertGroup, mixed: boolean): string {
  const labels = stringMap(alert.labels);
  const distinct = Object.entries(labels)
    .filter(([key, value]) => group.commonLabels[key] !== value)
    .map(([, value]) => value);
  const name = distinct.length > 0 ? distinct.join(' ') : (labels.instance ?? labels.alertname ?? 'alert');
  const own = annotationText(stringMap(alert.annotations));
  const text = own !== undefined && own !== annotationText(group.commonAnnotations) ? `: ${own}` : '';
  const marker = mixed && asString(alert.status)?.toLowerCase() === 'resolved' ? '[resolved] ' : '';
  return `• ${marker}${name}${text}`;
}

/**
 * The body for a group: the common summary for a single alert, or the common summary followed
 * by a short list when several alerts share the notification.
 */
export function groupBody(group: AlertGroup): string {
  const common = annotationText(group.commonAnnotations);
  const [only] = group.alerts;
  if (group.alerts.length === 1 && only !== undefined) {
    const annotations = stringMap(only.annotations);
    const description = annotations.description;
    const headline = annotations.summary ?? common ?? stringMap(only.labels).instance;
    return [headline, description !== headline ? description : undefined]
      .filter((line): line is string => line !== undefined)
      .join('\n');
  }
  const mixed = group.firing.length > 0 && group.firing.length < group.alerts.length;
  const lines = group.alerts.slice(0, ALERTS_LISTED).map((alert) => alertLine(alert, group, mixed));
  const hidden = Math.max(0, group.alerts.length - ALERTS_LISTED) + group.truncatedAlerts;
  if (hidden > 0) lines.push(`…and ${plural(hidden, 'more alert')}`);
  return [common, ...lines].filter((line): line is string => line !== undefined).join('\n');
}
