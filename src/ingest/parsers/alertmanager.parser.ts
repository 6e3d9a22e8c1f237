/**
 * Prometheus Alertmanager `webhook_config` receiver, payload version 4:
 * `{version, groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels,
 * commonAnnotations, externalURL, alerts: [{status, labels, annotations, startsAt, endsAt,
 * generatorURL, fingerprint}]}`.
 */
import { groupBody, groupDelivery, groupName, groupTitle, readAlertGroup } from './alert-group.ts';
import { finishMessage, type MessageParser } from './parser.ts';
import { asHttpUrl, asString, linkActions, navigate, requireObject } from './payload-reader.ts';

const SOURCE = 'Alertmanager';

/** The same link Alertmanager's own templates offer: a new silence pre-filled with the labels. */
function silenceUrl(externalUrl: string | undefined, labels: Record<string, string>): string | undefined {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  if (externalUrl === undefined || pairs.length === 0) return undefined;
  return `${externalUrl.replace(/\/+$/, '')}/#/silences/new?filter=${encodeURIComponent(`{${pairs.join(',')}}`)}`;
}

export const alertmanagerParser: MessageParser = (payload) => {
  const p = requireObject(payload, SOURCE);
  const group = readAlertGroup(p, SOURCE);
  const externalUrl = asHttpUrl(group.externalURL);
  const source = asHttpUrl((group.firing[0] ?? group.alerts[0])?.generatorURL);
  const receiver = asString(p.receiver);

  return finishMessage({
    title: groupTitle(group),
    subtitle: receiver !== undefined ? `${SOURCE} · ${receiver}` : SOURCE,
    body: groupBody(group),
    deliveryType: groupDelivery(group),
    tapAction: navigate(externalUrl ?? source),
    actions: linkActions([
      ['Source', source],
      ['Silence', group.status === 'firing' ? silenceUrl(externalUrl, group.commonLabels) : undefined],
    ]),
    groupId: `alertmanager:${groupName(group)}`,
    // groupKey is stable for the life of the group, so the resolved notice replaces the firing one.
    collapseId: group.groupKey,
  });
};
