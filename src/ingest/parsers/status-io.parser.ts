/**
 * Status.io incident and maintenance webhooks, read as Zentik's built-in parser reads them:
 * `{id, message_id, title, datetime, current_status, details, components, containers,
 * status_page_url}` plus `incident_url` (and `current_state`, `previous_*`, `datetime_resolve`)
 * for an incident or `maintenance_url` (and `datetime_start` / `datetime_end`) for maintenance.
 *
 * Skipped (204, no message), as in Zentik: a missing `id`, `message_id`, `title`, `details` or
 * `status_page_url`, or neither an `incident_url` nor a `maintenance_url`.
 */
import { type DeliveryType, finishZentikMessage, type Parser, SKIPPED } from './parser.ts';
import { asObject, type JsonObject } from './payload-reader.ts';
import { list, needObjects, statusPageDate, text } from './zentik-reader.ts';

const CRITICAL_STATES = ['investigating', 'identified'];
const CRITICAL_STATUSES = ['major outage', 'partial outage', 'service disruption'];

function names(p: JsonObject, field: 'components' | 'containers'): string | undefined {
  const items = list(p[field]);
  if (items === undefined || items.length === 0) return undefined;
  return needObjects(items, field)
    .map((item) => item.name)
    .join(', ');
}

function bodyOf(p: JsonObject, isIncident: boolean, isMaintenance: boolean): string {
  const lines: string[] = [];
  if (isIncident) {
    if (p.current_status) lines.push(`Status: ${p.current_status}`);
    if (p.current_state) lines.push(`State: ${p.current_state}`);
    if (p.previous_status && p.previous_state)
      lines.push(`Previous: ${p.previous_status} (${p.previous_state})`);
  } else if (isMaintenance && p.current_status) {
    lines.push(`Status: ${p.current_status}`);
  }
  if (p.details) lines.push('', `${p.details}`);
  if (isIncident) {
    if (p.datetime_start) lines.push('', `Started: ${statusPageDate(p.datetime_start)}`);
    if (p.datetime_resolve) lines.push(`Resolved: ${statusPageDate(p.datetime_resolve)}`);
  } else if (isMaintenance && p.datetime_start && p.datetime_end) {
    lines.push('', `Window: ${statusPageDate(p.datetime_start)} - ${statusPageDate(p.datetime_end)}`);
  }
  const components = names(p, 'components');
  if (components !== undefined) lines.push('', `Affected Components: ${components}`);
  const containers = names(p, 'containers');
  if (containers !== undefined) lines.push(`Affected Locations: ${containers}`);
  lines.push('');
  if (isIncident) lines.push(`🔗 View Incident: ${p.incident_url}`);
  else if (isMaintenance) lines.push(`🔗 View Maintenance: ${p.maintenance_url}`);
  lines.push(`📊 Status Page: ${p.status_page_url}`);
  return lines.join('\n');
}

/** Incidents are CRITICAL while investigated, identified or an outage, and until resolved. */
function incidentDelivery(p: JsonObject): DeliveryType {
  if (p.current_state && CRITICAL_STATES.includes(text(p.current_state, 'current_state').toLowerCase())) {
    return 'CRITICAL';
  }
  if (p.current_status) {
    const status = text(p.current_status, 'current_status').toLowerCase();
    if (CRITICAL_STATUSES.some((s) => status.includes(s))) return 'CRITICAL';
  }
  return p.datetime_resolve ? 'NORMAL' : 'CRITICAL';
}

export const statusIoParser: Parser = (payload) => {
  const p = asObject(payload);
  if (p === undefined || !p.id || !p.message_id || !p.title || !p.details || !p.status_page_url)
    return SKIPPED;
  if (!p.maintenance_url && !p.incident_url) return SKIPPED;

  // Which kind is decided by which URL field is present at all, as in Zentik.
  const isIncident = Object.hasOwn(p, 'incident_url');
  const isMaintenance = Object.hasOwn(p, 'maintenance_url');
  const [emoji, kind] = isIncident
    ? ['🚨', 'Incident']
    : isMaintenance
      ? ['🔧', 'Maintenance']
      : ['📢', 'Status Update'];
  const body = bodyOf(p, isIncident, isMaintenance);
  return finishZentikMessage({
    title: `${emoji} ${kind}: ${p.title}`,
    body,
    deliveryType: isIncident ? incidentDelivery(p) : 'NORMAL',
  });
};
