/**
 * Atlassian Statuspage webhooks, read as Zentik's built-in parser reads them: `{meta, page,
 * incident}` (with `incident_updates`, newest first, and `components`) or `{meta, page,
 * component_update, component}`, with Statuspage's snake_case statuses (`major_outage`, …).
 *
 * Skipped (204, no message), as in Zentik: no `meta`, no `page.id`, or neither `incident` nor
 * `component_update`.
 */
import {
  type DeliveryType,
  finishZentikMessage,
  type ParsedMessage,
  type Parser,
  SKIPPED,
} from './parser.ts';
import { asObject, type JsonObject } from './payload-reader.ts';
import { list, need, needObjects, statusPageDate, text } from './zentik-reader.ts';

const INCIDENT_STATUSES: Readonly<Record<string, string>> = {
  investigating: '🔍 Investigating',
  identified: '⚠️ Identified',
  monitoring: '👁️ Monitoring',
  resolved: '✅ Resolved',
  postmortem: '📝 Postmortem',
};
const COMPONENT_STATUSES: Readonly<Record<string, string>> = {
  operational: '✅ Operational',
  under_maintenance: '🔧 Under Maintenance',
  degraded_performance: '⚠️ Degraded Performance',
  partial_outage: '🔴 Partial Outage',
  major_outage: '🚨 Major Outage',
};
const COMPONENT_ICONS: Readonly<Record<string, string>> = {
  operational: '✅',
  under_maintenance: '🔧',
  degraded_performance: '⚠️',
  partial_outage: '🔴',
  major_outage: '🚨',
};
const IMPACTS: Readonly<Record<string, string>> = {
  none: 'None',
  minor: '⚠️ Minor',
  major: '🔴 Major',
  critical: '🚨 Critical',
};

/** The label for a status, matched case-insensitively, else the status as sent. */
function label(map: Readonly<Record<string, string>>, status: unknown, field: string): string {
  const value = text(status, field);
  const key = value.toLowerCase();
  return Object.hasOwn(map, key) ? (map[key] as string) : value;
}

function icon(status: unknown, field: string): string {
  const key = text(status, field).toLowerCase();
  return Object.hasOwn(COMPONENT_ICONS, key) ? (COMPONENT_ICONS[key] as string) : '📢';
}

function componentLines(incident: JsonObject): string[] {
  const components = list(incident.components);
  if (components === undefined || components.length === 0) return [];
  const lines = ['', 'Affected Components:'];
  needObjects(components, 'incident.components').forEach((component, i) => {
    const field = `incident.components[${i}].status`;
    lines.push(
      `• ${icon(component.status, field)} ${component.name} - ${label(COMPONENT_STATUSES, component.status, field)}`,
    );
    if (component.description) lines.push(`  Description: ${component.description}`);
  });
  return lines;
}

/** The newest update (Statuspage lists them newest first) and the component changes it made. */
function latestUpdateLines(incident: JsonObject): string[] {
  const updates = list(incident.incident_updates);
  if (updates === undefined || updates.length === 0) return [];
  const latest = need(updates[0], 'incident.incident_updates[0]');
  const lines = ['', 'Latest Update:'];
  if (latest.body) lines.push(`${latest.body}`);
  const affected = list(latest.affected_components);
  if (affected !== undefined && affected.length > 0) {
    lines.push('', 'Component Status Changes:');
    needObjects(affected, 'incident.incident_updates[0].affected_components').forEach((component, i) => {
      const field = `incident.incident_updates[0].affected_components[${i}]`;
      lines.push(
        `• ${component.name}: ${icon(component.old_status, `${field}.old_status`)} -> ${icon(component.new_status, `${field}.new_status`)}`,
      );
    });
  }
  return lines;
}

function incidentMessage(p: JsonObject): ParsedMessage {
  const incident = need(p.incident, 'incident');
  const lines = [`Status: ${label(INCIDENT_STATUSES, incident.status, 'incident.status')}`];
  if (incident.impact) lines.push(`Impact: ${label(IMPACTS, incident.impact, 'incident.impact')}`);
  lines.push(...componentLines(incident), ...latestUpdateLines(incident));
  lines.push('', `Started: ${statusPageDate(incident.started_at || incident.created_at)}`);
  if (incident.resolved_at) lines.push(`Resolved: ${statusPageDate(incident.resolved_at)}`);
  else if (incident.monitoring_at) lines.push(`Monitoring Since: ${statusPageDate(incident.monitoring_at)}`);
  lines.push('');
  if (incident.shortlink) lines.push(`🔗 View Incident Details: ${incident.shortlink}`);

  let deliveryType: DeliveryType = 'NORMAL';
  const status = text(incident.status, 'incident.status').toLowerCase();
  if (!incident.resolved_at && (status === 'investigating' || status === 'identified'))
    deliveryType = 'CRITICAL';
  return { title: `🚨 Incident: ${incident.name}`, body: lines.join('\n'), deliveryType };
}

function componentMessage(p: JsonObject, page: JsonObject): ParsedMessage {
  const update = need(p.component_update, 'component_update');
  const component = need(p.component, 'component');
  const oldStatus = label(COMPONENT_STATUSES, update.old_status, 'component_update.old_status');
  const newStatus = label(COMPONENT_STATUSES, update.new_status, 'component_update.new_status');
  const lines = [`Status Change: ${oldStatus} -> ${newStatus}`, `Component: ${component.name}`];
  if (component.description) lines.push(`Description: ${component.description}`);
  lines.push(
    '',
    `Page Status: ${page.status_description}`,
    '',
    `Updated: ${statusPageDate(update.created_at)}`,
  );
  const key = text(update.new_status, 'component_update.new_status').toLowerCase();
  return {
    title: `${icon(update.new_status, 'component_update.new_status')} Component Update: ${component.name}`,
    body: lines.join('\n'),
    deliveryType: key === 'partial_outage' || key === 'major_outage' ? 'CRITICAL' : 'NORMAL',
  };
}

export const atlasStatuspageParser: Parser = (payload) => {
  const p = asObject(payload);
  const page = asObject(p?.page);
  if (p === undefined || !p.meta || !page?.id) return SKIPPED;
  if (!p.incident && !p.component_update) return SKIPPED;
  // The kind is decided by which field is present at all, as in Zentik.
  return finishZentikMessage(Object.hasOwn(p, 'incident') ? incidentMessage(p) : componentMessage(p, page));
};
