/**
 * Expo Application Services (EAS) build and submit webhooks, read as Zentik's built-in parser
 * reads them: `{id, accountName, projectName, appId, platform, status, …}` plus, for a build,
 * `buildDetailsPageUrl` / `metadata` / `metrics` / `artifacts`, and for a submission,
 * `submissionDetailsPageUrl` / `archiveUrl` / `submissionInfo`.
 *
 * Skipped (204, no message), as in Zentik: a missing `id`, `accountName`, `projectName`,
 * `platform` or `status`; a platform other than ios/android or a status other than
 * finished/errored/canceled; or neither build nor submit fields.
 *
 * The `expo-signature` header is not checked. Zentik checks it only against a per-user "ExpoKey"
 * setting and accepts every payload for a user who has not set one; Herald has no such setting,
 * so it behaves as Zentik does for that user (see docs/parsers.md).
 */
import { finishZentikMessage, type ParsedAttachment, type Parser, SKIPPED } from './parser.ts';
import { asHttpUrl, asObject, type JsonObject } from './payload-reader.ts';
import { capitalize, obj, text } from './zentik-reader.ts';

const PLATFORMS: readonly unknown[] = ['ios', 'android'];
const STATUSES: readonly unknown[] = ['finished', 'errored', 'canceled'];
const STATUS_ICONS: Readonly<Record<string, string>> = { finished: '✅', errored: '❌', canceled: '⏹️' };

/** 42 → "42s", 125 → "2m 5s", 3725 → "1h 2m". */
function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

/** ": message (code)" lines for a build error and a submission error. */
function errorLine(label: string, error: JsonObject | undefined): string {
  let line = `\n${label}: ${error?.message}`;
  if (error?.errorCode) line += ` (${error.errorCode})`;
  return line;
}

function bodyOf(p: JsonObject, isBuild: boolean, platform: string): string {
  let body = `Project: ${p.projectName}\nAccount: ${p.accountName}\nPlatform: ${capitalize(platform)}\n`;
  if (isBuild) {
    const metadata = obj(p.metadata);
    if (metadata?.appVersion) body += `App Version: ${metadata.appVersion}\n`;
    if (metadata?.appBuildVersion) body += `Build Version: ${metadata.appBuildVersion}\n`;
    if (metadata?.buildProfile) body += `Profile: ${metadata.buildProfile}\n`;
    if (metadata?.gitCommitMessage) body += `Commit: ${metadata.gitCommitMessage}\n`;
  }
  if (p.error) body += errorLine('Error', obj(p.error));
  const submission = obj(p.submissionInfo);
  if (submission?.error) body += errorLine('Submission Error', obj(submission.error));
  if (p.createdAt && p.completedAt) {
    const start = new Date(p.createdAt as string).getTime();
    const end = new Date(p.completedAt as string).getTime();
    const seconds = Math.round((end - start) / 1000);
    if (seconds > 0) body += `\nDuration: ${duration(seconds)}`;
  }
  if (p.buildDetailsPageUrl) body += `\n\nBuild Details: ${p.buildDetailsPageUrl}`;
  if (p.submissionDetailsPageUrl) body += `\n\nSubmission Details: ${p.submissionDetailsPageUrl}`;
  const buildUrl = obj(p.artifacts)?.buildUrl;
  if (p.status === 'finished' && buildUrl) body += `\n\nDownload: ${buildUrl}`;
  if (submission?.logsUrl) body += `\n\nLogs: ${submission.logsUrl}`;
  return body.trim();
}

/** A finished build's .apk / .ipa as an attachment (Zentik marks it ICON: it is not media). */
function artifact(p: JsonObject, platform: string): ParsedAttachment[] {
  const buildUrl = obj(p.artifacts)?.buildUrl;
  if (p.status !== 'finished' || !buildUrl) return [];
  const url = text(buildUrl, 'artifacts.buildUrl');
  let name: string | undefined;
  if (platform === 'android' && url.endsWith('.apk')) name = `${p.projectName} Android APK`;
  else if (platform === 'ios' && url.endsWith('.ipa')) name = `${p.projectName} iOS IPA`;
  const link = asHttpUrl(url);
  if (name === undefined || link === undefined) return [];
  return [{ url: link, mediaType: 'ICON', name, saveOnServer: false }];
}

export const expoParser: Parser = (payload) => {
  const p = asObject(payload);
  if (p === undefined || !p.id || !p.accountName || !p.projectName || !p.platform || !p.status)
    return SKIPPED;
  if (!PLATFORMS.includes(p.platform) || !STATUSES.includes(p.status)) return SKIPPED;
  const hasBuildFields = p.buildDetailsPageUrl || p.metadata || p.metrics;
  const hasSubmitFields = p.submissionDetailsPageUrl || p.archiveUrl || p.submissionInfo;
  if (!hasBuildFields && !hasSubmitFields) return SKIPPED;

  const platform = p.platform as string;
  const status = p.status as string;
  // As in Zentik, only a details page makes a build: a build posting metadata alone reads as a submission.
  const isBuild = Boolean(p.buildDetailsPageUrl);
  const kind = isBuild ? 'Build' : 'Submit';
  return finishZentikMessage({
    title: `${platform === 'ios' ? '🍎' : '🤖'} ${STATUS_ICONS[status]} EAS ${kind} ${capitalize(status)}`,
    subtitle: `${kind}: ${p.projectName}`,
    body: bodyOf(p, isBuild, platform),
    deliveryType: status === 'errored' ? 'CRITICAL' : 'NORMAL',
    attachments: artifact(p, platform),
  });
};
