/**
 * GitHub repository and organisation webhooks. The event name travels only in the
 * `X-GitHub-Event` header; the JSON body's shape depends on it. Common events get a tailored
 * message, anything else a generic "<repo>: <event> <action>" one, so adding an event to a
 * hook in GitHub never makes deliveries fail here.
 */

import { type DeliveryType, finishMessage, type Parser, ParserInputError } from './parser.ts';
import {
  asHttpUrl,
  asNumber,
  asObject,
  asObjects,
  asString,
  firstLine,
  humanize,
  type JsonObject,
  navigate,
  plural,
  requireObject,
} from './payload-reader.ts';

const SOURCE = 'GitHub';
const EVENT_HEADER = 'x-github-event';
const COMMITS_LISTED = 5;

// Busywork on a thread (relabels, pushes to an open PR, edits) still lands in the inbox but
// should not buzz a phone the way an opened or merged pull request does.
const QUIET_ACTIONS: ReadonlySet<string> = new Set([
  'synchronize',
  'labeled',
  'unlabeled',
  'edited',
  'assigned',
  'unassigned',
  'milestoned',
  'demilestoned',
  'deleted',
]);

interface Summary {
  title: string;
  subtitle?: string;
  body?: string;
  url?: string;
  deliveryType?: DeliveryType;
  groupId?: string;
  collapseId?: string;
}

interface Context {
  payload: JsonObject;
  event: string;
  action: string | undefined;
  /** `owner/name`, or the organisation for org-level hooks. */
  scope: string;
  sender: string;
}

function requireSection(ctx: Context, key: string): JsonObject {
  const section = asObject(ctx.payload[key]);
  if (section === undefined) {
    throw new ParserInputError(`${SOURCE} ${ctx.event} payload is missing "${key}"`, key);
  }
  return section;
}

function quietWhen(action: string | undefined): DeliveryType {
  return action !== undefined && QUIET_ACTIONS.has(action) ? 'SILENT' : 'NORMAL';
}

function push(ctx: Context): Summary {
  const ref = asString(ctx.payload.ref) ?? '';
  const isTag = ref.startsWith('refs/tags/');
  const name = ref.replace(/^refs\/(heads|tags)\//, '');
  const kind = isTag ? 'tag' : 'branch';
  const url = asHttpUrl(ctx.payload.compare) ?? asHttpUrl(asObject(ctx.payload.head_commit)?.url);
  const pusher = asString(asObject(ctx.payload.pusher)?.name) ?? ctx.sender;
  if (ctx.payload.deleted === true) {
    return { title: `${ctx.scope}: ${kind} ${name} deleted`, subtitle: `by ${pusher}`, url };
  }
  if (isTag) return { title: `${ctx.scope}: tag ${name} pushed`, subtitle: `by ${pusher}`, url };

  const commits = asObjects(ctx.payload.commits);
  const forced = ctx.payload.forced === true ? ' (forced)' : '';
  const lines = commits.slice(0, COMMITS_LISTED).map((commit) => {
    const id = (asString(commit.id) ?? '').slice(0, 7);
    const author = asString(asObject(commit.author)?.username) ?? asString(asObject(commit.author)?.name);
    return `${id} ${firstLine(asString(commit.message) ?? '')}${author !== undefined ? ` (${author})` : ''}`;
  });
  if (commits.length > COMMITS_LISTED) lines.push(`…and ${commits.length - COMMITS_LISTED} more`);
  const what = commits.length > 0 ? `${plural(commits.length, 'commit')} pushed` : 'pushed';
  return {
    title: `${ctx.scope}: ${what} to ${name}${forced}`,
    subtitle: `by ${pusher}`,
    body: lines.join('\n'),
    url,
  };
}

/** Pull requests and issues read the same apart from the noun and the merge case. */
function thread(ctx: Context, key: 'pull_request' | 'issue', noun: string): Summary {
  const item = requireSection(ctx, key);
  const number = asNumber(item.number) ?? asNumber(ctx.payload.number);
  let verb = ctx.action === 'synchronize' ? 'updated' : humanize(ctx.action ?? 'updated').toLowerCase();
  if (ctx.action === 'closed' && item.merged === true) verb = 'merged';
  if (ctx.action === 'closed' && item.state_reason === 'not_planned') verb = 'closed as not planned';
  const head = asString(asObject(item.head)?.ref);
  const base = asString(asObject(item.base)?.ref);
  const branches = head !== undefined && base !== undefined ? `${head} → ${base}\n` : '';
  const detail = ctx.action === 'opened' ? (asString(item.body) ?? '') : '';
  return {
    title: `${ctx.scope}: ${noun} #${number ?? '?'} ${verb}`,
    subtitle: asString(item.title),
    body: `${branches}by ${ctx.sender}\n${detail}`,
    url: asHttpUrl(item.html_url),
    deliveryType: quietWhen(ctx.action),
    groupId: `${ctx.scope}#${number ?? ''}`,
  };
}

function issueComment(ctx: Context): Summary {
  const issue = requireSection(ctx, 'issue');
  const comment = requireSection(ctx, 'comment');
  const number = asNumber(issue.number);
  return {
    title: `${ctx.scope}: ${ctx.sender} commented on #${number ?? '?'}`,
    subtitle: asString(issue.title),
    body: asString(comment.body),
    url: asHttpUrl(comment.html_url) ?? asHttpUrl(issue.html_url),
    deliveryType: quietWhen(ctx.action),
    groupId: `${ctx.scope}#${number ?? ''}`,
  };
}

function release(ctx: Context): Summary {
  const item = requireSection(ctx, 'release');
  const tag = asString(item.tag_name) ?? '?';
  const name = asString(item.name);
  const noun = item.prerelease === true ? 'pre-release' : 'release';
  return {
    title: `${ctx.scope}: ${noun} ${tag} ${humanize(ctx.action ?? 'published').toLowerCase()}`,
    subtitle: name !== tag ? name : undefined,
    body: asString(item.body),
    url: asHttpUrl(item.html_url),
    // "published" is the one that matters; created/released/prereleased fire alongside it.
    deliveryType: ctx.action === 'published' ? 'NORMAL' : 'SILENT',
  };
}

function workflowRun(ctx: Context): Summary {
  const run = requireSection(ctx, 'workflow_run');
  const outcome = asString(run.conclusion) ?? asString(run.status) ?? ctx.action ?? 'updated';
  const runNumber = asNumber(run.run_number);
  const branch = asString(run.head_branch);
  const commit = firstLine(asString(asObject(run.head_commit)?.message) ?? '');
  const id = asString(run.id);
  return {
    title: `${ctx.scope}: ${asString(run.name) ?? 'workflow'} ${humanize(outcome).toLowerCase()}`,
    subtitle:
      runNumber !== undefined ? `Run #${runNumber}${branch !== undefined ? ` on ${branch}` : ''}` : branch,
    body: commit,
    url: asHttpUrl(run.html_url),
    // Only the end of a run is news; "requested" and "in_progress" arrive silently and are
    // then replaced by the completed run through the shared collapse id.
    deliveryType: ctx.action === 'completed' ? 'NORMAL' : 'SILENT',
    collapseId: id !== undefined ? `github:workflow-run:${id}` : undefined,
  };
}

function star(ctx: Context): Summary {
  const count = asNumber(asObject(ctx.payload.repository)?.stargazers_count);
  const removed = ctx.action === 'deleted';
  return {
    title: `${ctx.scope}: ${removed ? 'unstarred' : 'starred'} by ${ctx.sender}`,
    body: count !== undefined ? `${plural(count, 'star')} now` : undefined,
    deliveryType: removed ? 'SILENT' : 'NORMAL',
  };
}

function ping(ctx: Context): Summary {
  return { title: `${ctx.scope}: webhook connected`, body: asString(ctx.payload.zen) };
}

function generic(ctx: Context): Summary {
  const action = ctx.action !== undefined ? ` ${humanize(ctx.action).toLowerCase()}` : '';
  return {
    title: `${ctx.scope}: ${humanize(ctx.event).toLowerCase()}${action}`,
    subtitle: `by ${ctx.sender}`,
    deliveryType: quietWhen(ctx.action),
  };
}

const HANDLERS: Readonly<Record<string, (ctx: Context) => Summary>> = {
  push,
  pull_request: (ctx) => thread(ctx, 'pull_request', 'PR'),
  issues: (ctx) => thread(ctx, 'issue', 'issue'),
  issue_comment: issueComment,
  release,
  workflow_run: workflowRun,
  star,
  ping,
};

export const githubParser: Parser = (payload, headers) => {
  const event = asString(headers[EVENT_HEADER]);
  if (event === undefined) {
    throw new ParserInputError(`${SOURCE} webhook needs the X-GitHub-Event header`, EVENT_HEADER);
  }
  const p = requireObject(payload, SOURCE);
  const repository = asObject(p.repository);
  const ctx: Context = {
    payload: p,
    event,
    action: asString(p.action),
    scope: asString(repository?.full_name) ?? asString(asObject(p.organization)?.login) ?? SOURCE,
    sender: asString(asObject(p.sender)?.login) ?? 'someone',
  };
  // hasOwn, not a plain lookup: an event named "constructor" must not reach Object.prototype.
  const handler = Object.hasOwn(HANDLERS, event) ? HANDLERS[event] : generic;
  const summary = handler(ctx);
  const url = summary.url ?? asHttpUrl(repository?.html_url);
  return finishMessage({
    title: summary.title,
    subtitle: summary.subtitle,
    body: summary.body,
    deliveryType: summary.deliveryType ?? 'NORMAL',
    tapAction: navigate(url),
    groupId: summary.groupId ?? ctx.scope,
    collapseId: summary.collapseId,
  });
};
