/**
 * Grafana alert webhooks, in both generations:
 * - unified alerting (Grafana 8+): the Alertmanager group shape plus `title`, `message`,
 *   `state`, `orgId`, and per-alert `silenceURL`, `dashboardURL`, `panelURL`, `imageURL`;
 * - legacy dashboard alerts: `{title, ruleId, ruleName, ruleUrl, state, message, imageUrl,
 *   evalMatches: [{metric, value, tags}], tags}`.
 */
import { groupBody, groupDelivery, groupName, groupTitle, readAlertGroup } from './alert-group.ts';
import {
  type DeliveryType,
  finishMessage,
  type MessageParser,
  type ParsedMessage,
  ParserInputError,
} from './parser.ts';
import {
  asHttpUrl,
  asNumber,
  asObjects,
  asString,
  humanize,
  type JsonObject,
  linkActions,
  navigate,
  requireObject,
} from './payload-reader.ts';

const SOURCE = 'Grafana';
const MATCHES_LISTED = 5;

// Grafana's default message template opens with one of these; a custom template does not, and
// then the operator's own wording is kept instead of our summary.
const DEFAULT_MESSAGE = /^\*\*(Firing|Resolved)\*\*/;

function unified(p: JsonObject): ParsedMessage {
  const group = readAlertGroup(p, SOURCE);
  const lead = group.firing[0] ?? group.alerts[0];
  const message = asString(p.message);
  const body = message !== undefined && !DEFAULT_MESSAGE.test(message) ? message : groupBody(group);
  const panel = asHttpUrl(lead?.panelURL);
  const dashboard = asHttpUrl(lead?.dashboardURL);
  const rule = asHttpUrl(lead?.generatorURL);
  return finishMessage({
    title: asString(p.title) ?? groupTitle(group),
    body,
    deliveryType: groupDelivery(group),
    tapAction: navigate(panel ?? dashboard ?? rule ?? asHttpUrl(group.externalURL)),
    actions: linkActions([
      ['Dashboard', panel ?? dashboard],
      ['Alert rule', rule],
      ['Silence', group.status === 'firing' ? asHttpUrl(lead?.silenceURL) : undefined],
    ]),
    groupId: `grafana:${groupName(group)}`,
    collapseId: group.groupKey,
    imageUrl: asHttpUrl(lead?.imageURL),
  });
}

// Legacy alerts carry no severity, so the state alone decides: "alerting" is the alarm the rule
// exists for, "no_data" usually means a broken scrape rather than an incident.
const LEGACY_DELIVERY: Readonly<Record<string, DeliveryType>> = {
  alerting: 'CRITICAL',
  no_data: 'NORMAL',
  ok: 'NORMAL',
  pending: 'SILENT',
  paused: 'SILENT',
};

/**
 * The "Send test" button posts a fake alerting rule (id 0 in old releases, a random id later),
 * recognisable only by its fixed name and message. A test must not page anyone.
 */
function isLegacyTest(p: JsonObject): boolean {
  return (
    p.ruleId === 0 ||
    (p.ruleName === 'Test notification' && /^Someone is testing/i.test(asString(p.message) ?? ''))
  );
}

function legacyDelivery(p: JsonObject, state: string | undefined): DeliveryType {
  if (isLegacyTest(p)) return 'NORMAL';
  return state !== undefined && Object.hasOwn(LEGACY_DELIVERY, state) ? LEGACY_DELIVERY[state] : 'NORMAL';
}

function legacy(p: JsonObject): ParsedMessage {
  const ruleName = asString(p.ruleName);
  const state = asString(p.state)?.toLowerCase();
  if (ruleName === undefined && asString(p.title) === undefined) {
    throw new ParserInputError(`${SOURCE} legacy alert payload is missing "ruleName"`, 'ruleName');
  }
  const ruleId = asNumber(p.ruleId);
  const matches = asObjects(p.evalMatches);
  const lines = matches.slice(0, MATCHES_LISTED).map((match) => {
    const metric = asString(match.metric) ?? 'value';
    const value = asString(match.value);
    return `• ${metric}${value !== undefined ? `: ${value}` : ''}`;
  });
  if (matches.length > MATCHES_LISTED) lines.push(`…and ${matches.length - MATCHES_LISTED} more`);
  const ruleUrl = asHttpUrl(p.ruleUrl);
  return finishMessage({
    title: asString(p.title) ?? `[${humanize(state ?? 'alert')}] ${ruleName}`,
    body: [asString(p.message), ...lines].filter((line): line is string => line !== undefined).join('\n'),
    deliveryType: legacyDelivery(p, state),
    tapAction: navigate(ruleUrl),
    groupId: `grafana:${ruleName ?? 'alert'}`,
    collapseId: ruleId !== undefined ? `grafana:rule:${ruleId}` : undefined,
    imageUrl: asHttpUrl(p.imageUrl),
  });
}

export const grafanaParser: MessageParser = (payload) => {
  const p = requireObject(payload, SOURCE);
  if (Array.isArray(p.alerts)) return unified(p);
  if ('ruleName' in p || 'evalMatches' in p || 'ruleId' in p) return legacy(p);
  throw new ParserInputError(
    `${SOURCE} payload needs "alerts" (unified alerting) or "ruleName" (legacy alerting)`,
    'alerts',
  );
};
