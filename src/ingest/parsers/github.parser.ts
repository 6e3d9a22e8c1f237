/**
 * GitHub repository and organization webhooks, read as Zentik's built-in parser reads them. Like
 * Zentik, the event is inferred from the body (a `zen` + `hook` is a ping, `commits` or
 * `head_commit` a push, then `pull_request`, `issue`, `release`, `workflow_job`, `workflow_run`,
 * `check_suite`, `check_run`, `starred_at`, `forkee`, `discussion`, `ref_type`), so the
 * `X-GitHub-Event` header is neither needed nor read: an `issue_comment` reads as its issue.
 *
 * Skipped (204, no message), as in Zentik: a payload with neither a `hook` nor a
 * `repository.name`, or without `sender.login`.
 */
import { type DeliveryType, finishZentikMessage, type Parser, SKIPPED } from './parser.ts';
import { asObject, type JsonObject } from './payload-reader.ts';
import { capitalize, list, need, obj, text } from './zentik-reader.ts';

interface Text {
  title: string;
  subtitle?: string;
  body: string;
}

/** A value Zentik passes through untouched as the subtitle: null and undefined mean none. */
const raw = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : `${value}`;

/** The event name, or for create/delete events the `ref_type` (`branch`, `tag`) as sent. */
function eventOf(p: JsonObject): unknown {
  if (p.zen && p.hook) return 'ping';
  if (p.commits || p.head_commit) return 'push';
  if (p.pull_request) return 'pull_request';
  if (p.issue) return 'issue';
  if (p.release) return 'release';
  if (p.workflow_job) return 'workflow_job';
  if (p.workflow_run) return 'workflow_run';
  if (p.check_suite) return 'check_suite';
  if (p.check_run) return 'check_run';
  if (p.starred_at) return 'star';
  if (p.forkee) return 'fork';
  if (p.discussion) return 'discussion';
  if (p.ref_type) return p.ref_type; // a branch or tag was created or deleted
  return 'unknown';
}

/** The links line: "<a …>View X</a>" when the item has a URL, then " • <a …>View Repository</a>". */
function links(p: JsonObject, label: string, url: unknown): string {
  let out = '';
  if (url) out += `\n\n<a href="${url}">View ${label}</a>`;
  const repository = obj(p.repository)?.html_url;
  if (repository) out += ` • <a href="${repository}">View Repository</a>`;
  return out;
}

function ping(p: JsonObject, login: unknown): Text {
  const hook = obj(p.hook);
  const events = list(hook?.events || []) ?? [];
  let body = '🎉 Webhook configured successfully!\n\n';
  body += `Type: ${hook?.type || 'Unknown'}\n`;
  body += `Configured by: ${login}\n`;
  if (events.length > 0) body += `Monitoring events:\n${events.map((event) => `• ${event}\n`).join('')}`;
  if (p.zen) body += `\n💭 "${p.zen}"`;
  const context = p.organization ? obj(p.organization)?.login : 'webhook';
  return { title: '🔔 Webhook Active', subtitle: `${context} webhook ready`, body };
}

const firstLine = (message: unknown, field: string): string => text(message, field).split('\n')[0] as string;
const shortSha = (id: unknown, field: string): string => text(id, field).substring(0, 7);

function push(p: JsonObject, login: unknown): Text {
  const branch =
    (p.ref === undefined || p.ref === null ? undefined : text(p.ref, 'ref').replace('refs/heads/', '')) ||
    'unknown';
  const commits = list(p.commits) ?? [];
  const count = commits.length;
  let body = `Branch: ${branch}\nAuthor: ${login}\nCommits: ${count}\n\n`;
  if (p.head_commit) {
    const head = need(p.head_commit, 'head_commit');
    body += `Latest: ${shortSha(head.id, 'head_commit.id')} - ${firstLine(head.message, 'head_commit.message')}`;
  } else if (count > 0) {
    body += 'Commits:\n';
    commits.forEach((item, i) => {
      if (i < count - 3) return; // the last three
      const commit = need(item, `commits[${i}]`);
      body += `• ${shortSha(commit.id, `commits[${i}].id`)} - ${firstLine(commit.message, `commits[${i}].message`)}\n`;
    });
  }
  const repository = obj(p.repository)?.html_url;
  if (repository) {
    body += `\n\n<a href="${repository}/compare/${branch}">View Commits</a> • <a href="${repository}">View Repository</a>`;
  }
  return {
    title: `📝 ${count} ${count === 1 ? 'commit' : 'commits'} pushed`,
    subtitle: `to ${branch} by ${login}`,
    body,
  };
}

function pullRequest(p: JsonObject, login: unknown): Text {
  const pr = need(p.pull_request, 'pull_request');
  const author = need(pr.user, 'pull_request.user').login;
  const action = p.action;
  let emoji = '🔀';
  let actionText = action || 'updated';
  if (action === 'opened') emoji = '🆕';
  else if (action === 'closed' && pr.merged) {
    emoji = '✅';
    actionText = 'merged';
  } else if (action === 'closed') {
    emoji = '❌';
    actionText = 'closed';
  } else if (action === 'reopened') emoji = '🔄';
  else if (action === 'ready_for_review') {
    emoji = '👀';
    actionText = 'ready for review';
  }
  const body =
    `PR #${pr.number}: ${pr.title}\nAuthor: ${author}\nState: ${pr.state}${pr.draft ? ' (draft)' : ''}\nAction by: ${login}` +
    links(p, 'Pull Request', pr.html_url);
  return { title: `${emoji} PR ${actionText}`, subtitle: `#${pr.number} by ${author}`, body };
}

function issue(p: JsonObject, login: unknown): Text {
  const item = need(p.issue, 'issue');
  const author = need(item.user, 'issue.user').login;
  const action = p.action;
  const emoji = action === 'opened' ? '🆕' : action === 'closed' ? '✅' : action === 'reopened' ? '🔄' : '📋';
  const body =
    `Issue #${item.number}: ${item.title}\nAuthor: ${author}\nState: ${item.state}\nAction by: ${login}` +
    links(p, 'Issue', item.html_url);
  return { title: `${emoji} Issue ${action || 'updated'}`, subtitle: `#${item.number} by ${author}`, body };
}

function release(p: JsonObject, login: unknown): Text {
  const item = need(p.release, 'release');
  const tag = item.tag_name;
  const emoji = item.draft ? '📝' : item.prerelease ? '🧪' : '🚀';
  const body =
    `Release: ${item.name || tag}\nTag: ${tag}\n${item.prerelease ? 'Pre-release\n' : ''}${item.draft ? 'Draft\n' : ''}Published by: ${login}` +
    links(p, 'Release', item.html_url);
  return { title: `${emoji} Release ${p.action}`, subtitle: raw(tag), body };
}

function workflowJob(p: JsonObject, sender: JsonObject): Text {
  const job = need(p.workflow_job, 'workflow_job');
  const { conclusion, status } = job;
  let emoji = '⚙️';
  let statusText = p.action || status;
  if (conclusion === 'success') {
    emoji = '✅';
    statusText = 'completed successfully';
  } else if (conclusion === 'failure') {
    emoji = '❌';
    statusText = 'failed';
  } else if (conclusion === 'cancelled') {
    emoji = '🚫';
    statusText = 'cancelled';
  } else if (status === 'in_progress') {
    emoji = '⏳';
    statusText = 'in progress';
  } else if (status === 'queued') {
    emoji = '🔄';
    statusText = 'queued';
  }
  const body =
    `Job: ${job.name}\nWorkflow: ${job.workflow_name}\nBranch: ${job.head_branch}\nStatus: ${statusText}` +
    `${conclusion ? `\nConclusion: ${conclusion}` : ''}${sender.login ? `\nTriggered by: ${sender.login}` : ''}` +
    links(p, 'Job', job.html_url);
  return { title: `${emoji} ${job.name} ${statusText}`, subtitle: raw(job.workflow_name), body };
}

/** The ✅ / ❌ / 🚫 / ⏳ marker workflow runs and checks share; `cancelled` only for runs. */
function checkEmoji(fallback: string, conclusion: unknown, status: unknown, cancelled: boolean): string {
  if (conclusion === 'success') return '✅';
  if (conclusion === 'failure') return '❌';
  if (cancelled && conclusion === 'cancelled') return '🚫';
  if (status === 'in_progress') return '⏳';
  return fallback;
}

const conclusionLine = (conclusion: unknown): string => (conclusion ? `Conclusion: ${conclusion}\n` : '');

function workflowRun(p: JsonObject, login: unknown): Text {
  const run = need(p.workflow_run, 'workflow_run');
  const body =
    `Workflow: ${run.name}\nBranch: ${run.head_branch}\nStatus: ${run.status}\n${conclusionLine(run.conclusion)}Triggered by: ${login}` +
    links(p, 'Workflow Run', run.html_url);
  const emoji = checkEmoji('⚙️', run.conclusion, run.status, true);
  return { title: `${emoji} Workflow ${p.action || run.status}`, subtitle: raw(run.name), body };
}

function checkSuite(p: JsonObject, login: unknown): Text {
  const suite = need(p.check_suite, 'check_suite');
  const body =
    `Branch: ${suite.head_branch}\nStatus: ${suite.status}\n${conclusionLine(suite.conclusion)}Triggered by: ${login}` +
    links(p, 'Check Suite', suite.html_url);
  const emoji = checkEmoji('🔍', suite.conclusion, suite.status, false);
  return {
    title: `${emoji} Check suite ${p.action || suite.status}`,
    subtitle: raw(suite.head_branch),
    body,
  };
}

function checkRun(p: JsonObject, login: unknown): Text {
  const run = need(p.check_run, 'check_run');
  const body =
    `Check: ${run.name}\nStatus: ${run.status}\n${conclusionLine(run.conclusion)}Triggered by: ${login}` +
    links(p, 'Check Run', run.html_url);
  const emoji = checkEmoji('🔍', run.conclusion, run.status, false);
  return { title: `${emoji} Check ${p.action || run.status}`, subtitle: raw(run.name), body };
}

function discussion(p: JsonObject, login: unknown): Text {
  const item = need(p.discussion, 'discussion');
  const action = p.action;
  const emoji =
    action === 'created' ? '🆕' : action === 'answered' ? '✅' : action === 'closed' ? '🔒' : '💬';
  return {
    title: `${emoji} Discussion ${action || 'updated'}`,
    subtitle: raw(item.title),
    body: `Discussion: ${item.title}\nAuthor: ${need(item.user, 'discussion.user').login}\nAction by: ${login}`,
  };
}

function textOf(event: unknown, p: JsonObject, sender: JsonObject): Text {
  const login = sender.login;
  switch (event) {
    case 'ping':
      return ping(p, login);
    case 'push':
      return push(p, login);
    case 'pull_request':
      return pullRequest(p, login);
    case 'issue':
      return issue(p, login);
    case 'release':
      return release(p, login);
    case 'workflow_job':
      return workflowJob(p, sender);
    case 'workflow_run':
      return workflowRun(p, login);
    case 'check_suite':
      return checkSuite(p, login);
    case 'check_run':
      return checkRun(p, login);
    case 'star':
      return { title: '⭐ New Star', subtitle: `by ${login}`, body: `${login} starred the repository` };
    case 'fork':
      return {
        title: '🍴 Repository Forked',
        subtitle: `by ${login}`,
        body: `${login} forked to ${obj(p.forkee)?.full_name}`,
      };
    case 'discussion':
      return discussion(p, login);
    case 'branch':
    case 'tag':
      return {
        // Create and delete events carry no `action`; Zentik prints it regardless.
        title: `${event === 'branch' ? '🌿' : '🏷️'} ${capitalize(event)} ${p.action}`,
        subtitle: `${p.ref || ''}`,
        body: `${login} ${p.action} ${event} ${p.ref || 'unknown'}`,
      };
    default:
      return {
        title: p.action ? `${p.action} event` : 'GitHub event',
        subtitle: `by ${login}`,
        body: `Event triggered by ${login}`,
      };
  }
}

function deliveryTypeOf(event: unknown, p: JsonObject): DeliveryType {
  const conclusion = (field: string) => obj(p[field])?.conclusion;
  for (const field of ['workflow_job', 'workflow_run', 'check_suite', 'check_run']) {
    if (event === field && conclusion(field) === 'failure') return 'CRITICAL';
  }
  const jobStatus = obj(p.workflow_job)?.status;
  if (event === 'workflow_job' && (jobStatus === 'queued' || jobStatus === 'in_progress')) return 'SILENT';
  const action = p.action;
  if (
    (event === 'pull_request' &&
      (action === 'opened' || action === 'closed' || action === 'ready_for_review')) ||
    (event === 'issue' && (action === 'opened' || action === 'closed')) ||
    event === 'release'
  ) {
    return 'CRITICAL';
  }
  return 'NORMAL';
}

export const githubParser: Parser = (payload) => {
  const p = asObject(payload);
  const sender = obj(p?.sender);
  if (p === undefined || !sender?.login) return SKIPPED;
  if (!p.hook && !obj(p.repository)?.name) return SKIPPED;

  const event = eventOf(p);
  const { title, subtitle, body } = textOf(event, p, sender);
  let prefix = '';
  const repository = obj(p.repository);
  if (p.repository) prefix = `${repository?.full_name || repository?.name}: `;
  else if (p.organization) prefix = `${obj(p.organization)?.login}: `;
  else if (p.hook) prefix = 'GitHub: ';
  return finishZentikMessage({
    title: `${prefix}${title}`,
    subtitle,
    body,
    deliveryType: deliveryTypeOf(event, p),
  });
};
