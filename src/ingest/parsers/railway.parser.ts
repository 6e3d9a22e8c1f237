/**
 * Railway project webhooks, read as Zentik's built-in parser reads them. Both of Railway's
 * formats are understood: the older flat one (`{type, status, timestamp, project, service,
 * environment, deployment}`) and the current one, where the project, service, environment and
 * deployment sit under `resource` and the status under `details`.
 *
 * Skipped (204, no message), as in Zentik: no `type`, or no project name in either place.
 */
import { finishZentikMessage, type Parser, ParserInputError, SKIPPED } from './parser.ts';
import { asObject } from './payload-reader.ts';
import { localeDate, obj, text } from './zentik-reader.ts';

/** ✅ for a success, ❌ for a failure or error, nothing otherwise (BUILDING, DEPLOYING, …). */
function statusEmoji(status: string | undefined): string {
  if (!status) return '';
  const upper = status.toUpperCase();
  if (upper.includes('SUCCESS')) return '✅';
  if (upper.includes('FAIL') || upper.includes('ERROR')) return '❌';
  return '';
}

export const railwayParser: Parser = (payload, _headers, now) => {
  const p = asObject(payload);
  const resource = obj(p?.resource);
  if (p === undefined || !p.type) return SKIPPED;
  if (!obj(p.project)?.name && !obj(resource?.project)?.name) return SKIPPED;

  const project = obj(p.project || resource?.project || {});
  const service = obj(p.service || resource?.service);
  const environment = obj(p.environment || resource?.environment || {});
  const details = obj(p.details);
  const rawStatus = p.status || details?.status || details?.deploymentStatus || undefined;
  const status =
    rawStatus === undefined ? undefined : text(rawStatus, p.status ? 'status' : 'details.status');
  // Railway always sends a time; like Zentik, a payload without one is dated when it arrives.
  const timestamp = p.timestamp || p.time || now.toISOString();
  const deploymentId = obj(p.deployment)?.id || obj(resource?.deployment)?.id || details?.id || undefined;
  const creator = obj(obj(p.deployment)?.creator);

  const projectName = project?.name;
  if (!projectName) throw new ParserInputError('Railway payload has no project name', 'project.name');
  const serviceName = service?.name;
  const base = serviceName ? `${projectName} - ${serviceName}` : `${projectName}`;
  const emoji = statusEmoji(status);

  let body = `Project: ${projectName}\n`;
  if (serviceName) body += `Service: ${serviceName}\n`;
  body += `Environment: ${environment?.name}\n`;
  if (deploymentId && creator?.name) body += `Started by: ${creator.name}\n`;
  if (deploymentId) body += `Deployment ID: ${deploymentId}\n`;
  body += `Timestamp: ${localeDate(timestamp, 'it-IT')}\n`;
  if (project?.id) {
    const projectUrl = `https://railway.app/project/${project.id}`;
    body += `\n<a href="${projectUrl}">View Project</a>`;
    if (service?.id) body += ` • <a href="${projectUrl}/service/${service.id}">View Service</a>`;
  }

  return finishZentikMessage({
    title: emoji ? `${emoji} ${base}` : base,
    subtitle: status ? `${p.type} - ${status}` : `${p.type}`,
    body,
    deliveryType:
      status !== undefined && (status.includes('FAILED') || status.includes('ERROR')) ? 'CRITICAL' : 'NORMAL',
  });
};
