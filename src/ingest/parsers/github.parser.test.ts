import { describe, expect, it } from 'vitest';
import { githubParser } from './github.parser.ts';
import { ParserInputError } from './parser.ts';

const parse = (event: string | undefined, payload: unknown) =>
  githubParser(payload, {
    'x-github-event': event,
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
  });

const repository = {
  id: 1296269,
  name: 'hello-world',
  full_name: 'octocat/hello-world',
  private: false,
  html_url: 'https://github.com/octocat/hello-world',
  stargazers_count: 81,
};
const sender = { login: 'octocat', id: 1, type: 'User', html_url: 'https://github.com/octocat' };

describe('github parser', () => {
  it('lists the commits of a push and links the compare view', () => {
    const message = parse('push', {
      ref: 'refs/heads/main',
      before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      after: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
      created: false,
      deleted: false,
      forced: false,
      compare: 'https://github.com/octocat/hello-world/compare/6113728f27ae...0d1a26e67d8f',
      commits: [
        {
          id: 'a10867b14bb761a232cd80139fbd4c0d33264240',
          message: 'Fix login redirect\n\nThe next= parameter was dropped.',
          author: { name: 'Mona Lisa', email: 'mona@example.com', username: 'monalisa' },
          url: 'https://github.com/octocat/hello-world/commit/a10867b',
        },
        {
          id: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
          message: 'Bump version',
          author: { name: 'The Octocat', email: 'octocat@example.com', username: 'octocat' },
          url: 'https://github.com/octocat/hello-world/commit/0d1a26e',
        },
      ],
      head_commit: { id: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c', message: 'Bump version' },
      repository,
      pusher: { name: 'octocat', email: 'octocat@example.com' },
      sender,
    });
    expect(message).toEqual({
      title: 'octocat/hello-world: 2 commits pushed to main',
      subtitle: 'by octocat',
      body: 'a10867b Fix login redirect (monalisa)\n0d1a26e Bump version (octocat)',
      deliveryType: 'NORMAL',
      tapAction: {
        type: 'NAVIGATE',
        value: 'https://github.com/octocat/hello-world/compare/6113728f27ae...0d1a26e67d8f',
      },
      groupId: 'octocat/hello-world',
    });
  });

  it('says when a branch is deleted', () => {
    const message = parse('push', {
      ref: 'refs/heads/feature/x',
      deleted: true,
      commits: [],
      repository,
      pusher: { name: 'octocat' },
      sender,
    });
    expect(message.title).toBe('octocat/hello-world: branch feature/x deleted');
  });

  const pullRequest = {
    url: 'https://api.github.com/repos/octocat/hello-world/pulls/42',
    html_url: 'https://github.com/octocat/hello-world/pull/42',
    number: 42,
    state: 'open',
    title: 'Add dark mode',
    user: { login: 'monalisa' },
    body: 'Closes #40.',
    merged: false,
    head: { ref: 'dark-mode', sha: 'abc' },
    base: { ref: 'main', sha: 'def' },
  };

  it('reports an opened pull request with its branches and description', () => {
    const message = parse('pull_request', {
      action: 'opened',
      number: 42,
      pull_request: pullRequest,
      repository,
      sender,
    });
    expect(message).toMatchObject({
      title: 'octocat/hello-world: PR #42 opened',
      subtitle: 'Add dark mode',
      body: 'dark-mode → main\nby octocat\nCloses #40.',
      deliveryType: 'NORMAL',
      tapAction: { type: 'NAVIGATE', value: 'https://github.com/octocat/hello-world/pull/42' },
      groupId: 'octocat/hello-world#42',
    });
  });

  it('tells a merge from a plain close and keeps pushes to a PR quiet', () => {
    const merged = {
      action: 'closed',
      number: 42,
      pull_request: { ...pullRequest, merged: true },
      repository,
      sender,
    };
    expect(parse('pull_request', merged).title).toBe('octocat/hello-world: PR #42 merged');
    const closed = { action: 'closed', number: 42, pull_request: pullRequest, repository, sender };
    expect(parse('pull_request', closed).title).toBe('octocat/hello-world: PR #42 closed');
    const sync = { action: 'synchronize', number: 42, pull_request: pullRequest, repository, sender };
    expect(parse('pull_request', sync)).toMatchObject({
      title: 'octocat/hello-world: PR #42 updated',
      deliveryType: 'SILENT',
    });
  });

  it('reports issues and comments on them', () => {
    const issue = {
      html_url: 'https://github.com/octocat/hello-world/issues/40',
      number: 40,
      title: 'Dark mode please',
      state: 'open',
      body: 'My eyes hurt.',
      user: { login: 'hubot' },
    };
    expect(parse('issues', { action: 'opened', issue, repository, sender })).toMatchObject({
      title: 'octocat/hello-world: issue #40 opened',
      subtitle: 'Dark mode please',
      body: 'by octocat\nMy eyes hurt.',
    });
    const comment = parse('issue_comment', {
      action: 'created',
      issue,
      comment: {
        html_url: 'https://github.com/octocat/hello-world/issues/40#issuecomment-1',
        body: 'Working on it in #42.',
        user: { login: 'octocat' },
      },
      repository,
      sender,
    });
    expect(comment).toMatchObject({
      title: 'octocat/hello-world: octocat commented on #40',
      body: 'Working on it in #42.',
      tapAction: { value: 'https://github.com/octocat/hello-world/issues/40#issuecomment-1' },
    });
  });

  it('announces a published release and keeps its companion events quiet', () => {
    const release = {
      html_url: 'https://github.com/octocat/hello-world/releases/tag/v1.2.0',
      tag_name: 'v1.2.0',
      name: 'Dark side',
      body: '## Changes\n- dark mode',
      draft: false,
      prerelease: false,
    };
    expect(parse('release', { action: 'published', release, repository, sender })).toMatchObject({
      title: 'octocat/hello-world: release v1.2.0 published',
      subtitle: 'Dark side',
      body: '## Changes\n- dark mode',
      deliveryType: 'NORMAL',
      tapAction: { value: release.html_url },
    });
    expect(parse('release', { action: 'released', release, repository, sender }).deliveryType).toBe('SILENT');
  });

  it('reports a finished workflow run, replacing its in-progress notice', () => {
    const run = {
      id: 30433642,
      name: 'CI',
      head_branch: 'main',
      run_number: 562,
      event: 'push',
      status: 'completed',
      conclusion: 'failure',
      html_url: 'https://github.com/octocat/hello-world/actions/runs/30433642',
      head_commit: { id: '0d1a26e', message: 'Bump version\n\nSigned-off-by: octocat' },
    };
    const done = parse('workflow_run', { action: 'completed', workflow_run: run, repository, sender });
    expect(done).toMatchObject({
      title: 'octocat/hello-world: CI failure',
      subtitle: 'Run #562 on main',
      body: 'Bump version',
      deliveryType: 'NORMAL',
      tapAction: { value: run.html_url },
      collapseId: 'github:workflow-run:30433642',
    });
    const running = parse('workflow_run', {
      action: 'in_progress',
      workflow_run: { ...run, status: 'in_progress', conclusion: null },
      repository,
      sender,
    });
    expect(running).toMatchObject({ title: 'octocat/hello-world: CI in progress', deliveryType: 'SILENT' });
    expect(running.collapseId).toBe(done.collapseId);
  });

  it('confirms a new hook on ping and counts stars', () => {
    const ping = parse('ping', {
      zen: 'Design for failure.',
      hook_id: 123456,
      hook: { type: 'Repository', id: 123456, events: ['*'], active: true },
      repository,
      sender,
    });
    expect(ping).toMatchObject({
      title: 'octocat/hello-world: webhook connected',
      body: 'Design for failure.',
      tapAction: { value: repository.html_url },
    });
    const star = parse('star', { action: 'created', starred_at: '2025-01-01T00:00:00Z', repository, sender });
    expect(star).toMatchObject({ title: 'octocat/hello-world: starred by octocat', body: '81 stars now' });
  });

  it('gives other events a generic message, with the organisation when there is no repository', () => {
    const fork = parse('fork', { forkee: { full_name: 'monalisa/hello-world' }, repository, sender });
    expect(fork.title).toBe('octocat/hello-world: fork');
    const member = parse('organization', {
      action: 'member_added',
      organization: { login: 'github' },
      sender,
    });
    expect(member.title).toBe('github: organization member added');
    expect(parse('constructor', { repository, sender }).title).toBe('octocat/hello-world: constructor');
  });

  it('rejects a request without the X-GitHub-Event header', () => {
    expect(() => parse(undefined, { repository, sender })).toThrow(
      expect.objectContaining({ name: 'ParserInputError', field: 'x-github-event' }),
    );
  });

  it('rejects a non-object payload and an event missing its main object', () => {
    expect(() => parse('push', 'payload=%7B%7D')).toThrow(ParserInputError);
    expect(() => parse('pull_request', { action: 'opened', number: 1, repository, sender })).toThrow(
      expect.objectContaining({ field: 'pull_request', message: expect.stringContaining('"pull_request"') }),
    );
  });
});
