import { describe, expect, it } from 'vitest';
import { refusedFieldOf } from '../../../test/support/parser-refusal.ts';
import { githubParser } from './github.parser.ts';

// The messages below are what Zentik's built-in github parser produces for these payloads,
// worked out from its source; the payloads are written here in the source system's own format.
const NOW = new Date('2025-07-01T12:00:00.000Z');
const parse = (payload: unknown, headers: Record<string, string> = {}) => githubParser(payload, headers, NOW);

const payloads = {
  repoPing: {
    zen: 'Design for failure.',
    hook_id: 480012345,
    hook: {
      type: 'Repository',
      id: 480012345,
      name: 'web',
      active: true,
      events: ['push', 'pull_request', 'workflow_run'],
      config: {
        content_type: 'json',
        insecure_ssl: '0',
        url: 'https://herald.example.org/api/v1/messages/transform?parser=github&bucketId=ci',
      },
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  orgPing: {
    zen: 'Keep it logically awesome.',
    hook_id: 77,
    hook: {
      type: 'Organization',
      id: 77,
      name: 'web',
      active: true,
      events: ['*'],
      config: {
        content_type: 'json',
        url: 'https://herald.example.org/hook',
      },
    },
    organization: {
      login: 'acme',
      id: 9919,
      url: 'https://api.github.com/orgs/acme',
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  push: {
    ref: 'refs/heads/main',
    before: 'b1946ac92492d2347c6235b4d2611184a1e3e3f0',
    after: 'e0f1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b',
    created: false,
    deleted: false,
    forced: false,
    compare: 'https://github.com/acme/lighthouse/compare/b1946ac92492...e0f1a2b3c4d5',
    commits: [
      {
        id: 'c0ffee1234567890abcdef1234567890abcdef12',
        message: 'Retry webhooks on 429',
        timestamp: '2025-05-02T09:10:11+02:00',
        url: 'https://github.com/acme/lighthouse/commit/c0ffee1',
        author: {
          name: 'Mona',
          email: 'mona@example.org',
          username: 'mona',
        },
      },
      {
        id: 'e0f1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b',
        message: 'Release 1.4.0\n\nChangelog in CHANGES.md',
        timestamp: '2025-05-02T09:12:00+02:00',
        url: 'https://github.com/acme/lighthouse/commit/e0f1a2b',
        author: {
          name: 'Mona',
          email: 'mona@example.org',
          username: 'mona',
        },
      },
    ],
    head_commit: {
      id: 'e0f1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b',
      message: 'Release 1.4.0\n\nChangelog in CHANGES.md',
      timestamp: '2025-05-02T09:12:00+02:00',
      url: 'https://github.com/acme/lighthouse/commit/e0f1a2b',
      author: {
        name: 'Mona',
        email: 'mona@example.org',
        username: 'mona',
      },
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    pusher: {
      name: 'mona',
      email: 'mona@example.org',
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  branchDeleted: {
    ref: 'refs/heads/feature/old',
    before: 'aaaaaaa1111111',
    after: '0000000000000000000000000000000000000000',
    created: false,
    deleted: true,
    forced: false,
    commits: [],
    head_commit: null,
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    pusher: {
      name: 'mona',
      email: 'mona@example.org',
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  prOpened: {
    action: 'opened',
    number: 57,
    pull_request: {
      number: 57,
      title: 'Add retry budget',
      state: 'open',
      html_url: 'https://github.com/acme/lighthouse/pull/57',
      user: {
        login: 'hubot',
        id: 1,
        type: 'User',
      },
      draft: true,
      merged: false,
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  prMerged: {
    action: 'closed',
    number: 56,
    pull_request: {
      number: 56,
      title: 'Fix flaky test',
      state: 'closed',
      html_url: 'https://github.com/acme/lighthouse/pull/56',
      user: {
        login: 'hubot',
        id: 1,
        type: 'User',
      },
      draft: false,
      merged: true,
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  prSynchronize: {
    action: 'synchronize',
    number: 57,
    before: 'x',
    after: 'y',
    pull_request: {
      number: 57,
      title: 'Add retry budget',
      state: 'open',
      html_url: 'https://github.com/acme/lighthouse/pull/57',
      user: {
        login: 'hubot',
        id: 1,
        type: 'User',
      },
      draft: false,
      merged: false,
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  issueOpened: {
    action: 'opened',
    issue: {
      number: 101,
      title: 'Webhooks time out behind proxy',
      state: 'open',
      html_url: 'https://github.com/acme/lighthouse/issues/101',
      user: {
        login: 'octocat',
        id: 1,
        type: 'User',
      },
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  issueComment: {
    action: 'created',
    issue: {
      number: 101,
      title: 'Webhooks time out behind proxy',
      state: 'open',
      html_url: 'https://github.com/acme/lighthouse/issues/101',
      user: {
        login: 'octocat',
        id: 1,
        type: 'User',
      },
    },
    comment: {
      id: 5,
      body: 'Same here',
      user: {
        login: 'mona',
        id: 1,
        type: 'User',
      },
      html_url: 'https://github.com/acme/lighthouse/issues/101#issuecomment-5',
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  releasePublished: {
    action: 'published',
    release: {
      id: 1,
      tag_name: 'v1.4.0',
      name: 'Lighthouse 1.4.0',
      body: 'Retry budget, fewer 500s',
      html_url: 'https://github.com/acme/lighthouse/releases/tag/v1.4.0',
      draft: false,
      prerelease: false,
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  prerelease: {
    action: 'released',
    release: {
      id: 2,
      tag_name: 'v1.5.0-rc.1',
      name: '',
      html_url: 'https://github.com/acme/lighthouse/releases/tag/v1.5.0-rc.1',
      draft: false,
      prerelease: true,
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  jobQueued: {
    action: 'queued',
    workflow_job: {
      id: 2983,
      run_id: 940,
      workflow_name: 'CI',
      name: 'test (20.x)',
      head_branch: 'main',
      status: 'queued',
      conclusion: null,
      html_url: 'https://github.com/acme/lighthouse/actions/runs/940/job/2983',
      created_at: '2025-05-02T07:12:00Z',
      started_at: '2025-05-02T07:12:00Z',
      completed_at: null,
      steps: [],
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  jobFailed: {
    action: 'completed',
    workflow_job: {
      id: 2984,
      run_id: 940,
      workflow_name: 'CI',
      name: 'lint',
      head_branch: 'main',
      status: 'completed',
      conclusion: 'failure',
      html_url: 'https://github.com/acme/lighthouse/actions/runs/940/job/2984',
      created_at: '2025-05-02T07:12:00Z',
      started_at: '2025-05-02T07:12:05Z',
      completed_at: '2025-05-02T07:13:10Z',
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  runSucceeded: {
    action: 'completed',
    workflow: {
      id: 1,
      name: 'Deploy',
      path: '.github/workflows/deploy.yml',
    },
    workflow_run: {
      id: 941,
      name: 'Deploy',
      head_branch: 'main',
      status: 'completed',
      conclusion: 'success',
      html_url: 'https://github.com/acme/lighthouse/actions/runs/941',
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  suiteFailed: {
    action: 'completed',
    check_suite: {
      id: 5,
      head_branch: 'feature/x',
      status: 'completed',
      conclusion: 'failure',
      url: 'https://api.github.com/repos/acme/lighthouse/check-suites/5',
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  checkRunRunning: {
    action: 'created',
    check_run: {
      id: 9,
      name: 'codecov/patch',
      status: 'in_progress',
      conclusion: null,
      html_url: 'https://github.com/acme/lighthouse/runs/9',
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  star: {
    action: 'created',
    starred_at: '2025-05-02T07:00:00Z',
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  fork: {
    forkee: {
      id: 2,
      name: 'lighthouse',
      full_name: 'mona/lighthouse',
      html_url: 'https://github.com/mona/lighthouse',
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  discussion: {
    action: 'created',
    discussion: {
      number: 3,
      title: 'Roadmap for 2.0',
      html_url: 'https://github.com/acme/lighthouse/discussions/3',
      user: {
        login: 'octocat',
        id: 1,
        type: 'User',
      },
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  tagCreated: {
    ref: 'v1.4.0',
    ref_type: 'tag',
    master_branch: 'main',
    description: null,
    pusher_type: 'user',
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  memberAdded: {
    action: 'added',
    member: {
      login: 'newbie',
      id: 1,
      type: 'User',
    },
    changes: {},
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
  noSender: {
    action: 'opened',
    issue: {
      number: 1,
      title: 't',
      state: 'open',
      user: {
        login: 'a',
        id: 1,
        type: 'User',
      },
    },
    repository: {
      id: 1296269,
      name: 'lighthouse',
      full_name: 'acme/lighthouse',
      private: false,
      html_url: 'https://github.com/acme/lighthouse',
      owner: {
        login: 'acme',
        id: 9919,
        type: 'Organization',
      },
    },
  },
  noRepository: {
    action: 'created',
    sender: {
      login: 'mona',
      id: 583231,
      type: 'User',
      html_url: 'https://github.com/mona',
    },
  },
};

describe('github parser: GitHub webhooks, as Zentik reads them', () => {
  it('a repository ping lists the events', () => {
    expect(parse(payloads.repoPing)).toEqual({
      title: 'acme/lighthouse: 🔔 Webhook Active',
      subtitle: 'webhook webhook ready',
      body: '🎉 Webhook configured successfully!\n\nType: Repository\nConfigured by: mona\nMonitoring events:\n• push\n• pull_request\n• workflow_run\n\n💭 "Design for failure."',
      deliveryType: 'NORMAL',
    });
  });
  it('an organization ping is prefixed with the organization', () => {
    expect(parse(payloads.orgPing)).toEqual({
      title: 'acme: 🔔 Webhook Active',
      subtitle: 'acme webhook ready',
      body: '🎉 Webhook configured successfully!\n\nType: Organization\nConfigured by: mona\nMonitoring events:\n• *\n\n💭 "Keep it logically awesome."',
      deliveryType: 'NORMAL',
    });
  });
  it('a push shows the head commit and links', () => {
    expect(parse(payloads.push)).toEqual({
      title: 'acme/lighthouse: 📝 2 commits pushed',
      subtitle: 'to main by mona',
      body: 'Branch: main\nAuthor: mona\nCommits: 2\n\nLatest: e0f1a2b - Release 1.4.0\n\n<a href="https://github.com/acme/lighthouse/compare/main">View Commits</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'NORMAL',
    });
  });
  it('a branch deletion is a push of 0 commits', () => {
    expect(parse(payloads.branchDeleted)).toEqual({
      title: 'acme/lighthouse: 📝 0 commits pushed',
      subtitle: 'to feature/old by mona',
      body: 'Branch: feature/old\nAuthor: mona\nCommits: 0\n\n\n\n<a href="https://github.com/acme/lighthouse/compare/feature/old">View Commits</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'NORMAL',
    });
  });
  it('an opened draft PR is CRITICAL', () => {
    expect(parse(payloads.prOpened)).toEqual({
      title: 'acme/lighthouse: 🆕 PR opened',
      subtitle: '#57 by hubot',
      body: 'PR #57: Add retry budget\nAuthor: hubot\nState: open (draft)\nAction by: mona\n\n<a href="https://github.com/acme/lighthouse/pull/57">View Pull Request</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'CRITICAL',
    });
  });
  it('a merged PR', () => {
    expect(parse(payloads.prMerged)).toEqual({
      title: 'acme/lighthouse: ✅ PR merged',
      subtitle: '#56 by hubot',
      body: 'PR #56: Fix flaky test\nAuthor: hubot\nState: closed\nAction by: mona\n\n<a href="https://github.com/acme/lighthouse/pull/56">View Pull Request</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'CRITICAL',
    });
  });
  it('a synchronized PR is NORMAL', () => {
    expect(parse(payloads.prSynchronize)).toEqual({
      title: 'acme/lighthouse: 🔀 PR synchronize',
      subtitle: '#57 by hubot',
      body: 'PR #57: Add retry budget\nAuthor: hubot\nState: open\nAction by: mona\n\n<a href="https://github.com/acme/lighthouse/pull/57">View Pull Request</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'NORMAL',
    });
  });
  it('an opened issue is CRITICAL', () => {
    expect(parse(payloads.issueOpened)).toEqual({
      title: 'acme/lighthouse: 🆕 Issue opened',
      subtitle: '#101 by octocat',
      body: 'Issue #101: Webhooks time out behind proxy\nAuthor: octocat\nState: open\nAction by: mona\n\n<a href="https://github.com/acme/lighthouse/issues/101">View Issue</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'CRITICAL',
    });
  });
  it('an issue comment reads as its issue', () => {
    expect(parse(payloads.issueComment)).toEqual({
      title: 'acme/lighthouse: 📋 Issue created',
      subtitle: '#101 by octocat',
      body: 'Issue #101: Webhooks time out behind proxy\nAuthor: octocat\nState: open\nAction by: mona\n\n<a href="https://github.com/acme/lighthouse/issues/101">View Issue</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'NORMAL',
    });
  });
  it('a published release is CRITICAL', () => {
    expect(parse(payloads.releasePublished)).toEqual({
      title: 'acme/lighthouse: 🚀 Release published',
      subtitle: 'v1.4.0',
      body: 'Release: Lighthouse 1.4.0\nTag: v1.4.0\nPublished by: mona\n\n<a href="https://github.com/acme/lighthouse/releases/tag/v1.4.0">View Release</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'CRITICAL',
    });
  });
  it('a pre-release falls back to its tag for the name', () => {
    expect(parse(payloads.prerelease)).toEqual({
      title: 'acme/lighthouse: 🧪 Release released',
      subtitle: 'v1.5.0-rc.1',
      body: 'Release: v1.5.0-rc.1\nTag: v1.5.0-rc.1\nPre-release\nPublished by: mona\n\n<a href="https://github.com/acme/lighthouse/releases/tag/v1.5.0-rc.1">View Release</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'CRITICAL',
    });
  });
  it('a queued job is SILENT', () => {
    expect(parse(payloads.jobQueued)).toEqual({
      title: 'acme/lighthouse: 🔄 test (20.x) queued',
      subtitle: 'CI',
      body: 'Job: test (20.x)\nWorkflow: CI\nBranch: main\nStatus: queued\nTriggered by: mona\n\n<a href="https://github.com/acme/lighthouse/actions/runs/940/job/2983">View Job</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'SILENT',
    });
  });
  it('a failed job is CRITICAL', () => {
    expect(parse(payloads.jobFailed)).toEqual({
      title: 'acme/lighthouse: ❌ lint failed',
      subtitle: 'CI',
      body: 'Job: lint\nWorkflow: CI\nBranch: main\nStatus: failed\nConclusion: failure\nTriggered by: mona\n\n<a href="https://github.com/acme/lighthouse/actions/runs/940/job/2984">View Job</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'CRITICAL',
    });
  });
  it('a successful workflow run', () => {
    expect(parse(payloads.runSucceeded)).toEqual({
      title: 'acme/lighthouse: ✅ Workflow completed',
      subtitle: 'Deploy',
      body: 'Workflow: Deploy\nBranch: main\nStatus: completed\nConclusion: success\nTriggered by: mona\n\n<a href="https://github.com/acme/lighthouse/actions/runs/941">View Workflow Run</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'NORMAL',
    });
  });
  it('a failed check suite is CRITICAL', () => {
    expect(parse(payloads.suiteFailed)).toEqual({
      title: 'acme/lighthouse: ❌ Check suite completed',
      subtitle: 'feature/x',
      body: 'Branch: feature/x\nStatus: completed\nConclusion: failure\nTriggered by: mona • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'CRITICAL',
    });
  });
  it('a running check', () => {
    expect(parse(payloads.checkRunRunning)).toEqual({
      title: 'acme/lighthouse: ⏳ Check created',
      subtitle: 'codecov/patch',
      body: 'Check: codecov/patch\nStatus: in_progress\nTriggered by: mona\n\n<a href="https://github.com/acme/lighthouse/runs/9">View Check Run</a> • <a href="https://github.com/acme/lighthouse">View Repository</a>',
      deliveryType: 'NORMAL',
    });
  });
  it('a star', () => {
    expect(parse(payloads.star)).toEqual({
      title: 'acme/lighthouse: ⭐ New Star',
      subtitle: 'by mona',
      body: 'mona starred the repository',
      deliveryType: 'NORMAL',
    });
  });
  it('a fork', () => {
    expect(parse(payloads.fork)).toEqual({
      title: 'acme/lighthouse: 🍴 Repository Forked',
      subtitle: 'by mona',
      body: 'mona forked to mona/lighthouse',
      deliveryType: 'NORMAL',
    });
  });
  it('a new discussion', () => {
    expect(parse(payloads.discussion)).toEqual({
      title: 'acme/lighthouse: 🆕 Discussion created',
      subtitle: 'Roadmap for 2.0',
      body: 'Discussion: Roadmap for 2.0\nAuthor: octocat\nAction by: mona',
      deliveryType: 'NORMAL',
    });
  });
  it('a tag creation prints the absent action as Zentik does', () => {
    expect(parse(payloads.tagCreated)).toEqual({
      title: 'acme/lighthouse: 🏷️ Tag undefined',
      subtitle: 'v1.4.0',
      body: 'mona undefined tag v1.4.0',
      deliveryType: 'NORMAL',
    });
  });
  it('an event Zentik does not know is named by its action', () => {
    expect(parse(payloads.memberAdded)).toEqual({
      title: 'acme/lighthouse: added event',
      subtitle: 'by mona',
      body: 'Event triggered by mona',
      deliveryType: 'NORMAL',
    });
  });
  it('skips a payload without sender', () => {
    expect(parse(payloads.noSender)).toBeNull();
  });
  it('skips a payload without repository or hook', () => {
    expect(parse(payloads.noRepository)).toBeNull();
  });

  it('skips a body that is not a JSON object', () => {
    for (const payload of [undefined, null, 'text', 42, []]) expect(parse(payload)).toBeNull();
  });
});

const refusedField = (payload: unknown) => refusedFieldOf(parse, payload);

describe('github parser: the event comes from the body', () => {
  it('ignores X-GitHub-Event, as Zentik does', () => {
    expect(parse(payloads.issueComment, { 'x-github-event': 'issue_comment' })).toEqual(
      parse(payloads.issueComment),
    );
    expect(parse(payloads.push, { 'x-github-event': 'ping' })).toEqual(parse(payloads.push));
  });
});

describe('github parser: payloads Zentik answers with its parsing-error message', () => {
  it('refuses a head commit id that is not text', () => {
    expect(refusedField({ ...payloads.push, head_commit: { ...payloads.push.head_commit, id: 12 } })).toBe(
      'head_commit.id',
    );
  });
  it('refuses a pull request without its author', () => {
    const { user: _, ...pullRequest } = payloads.prOpened.pull_request;
    expect(refusedField({ ...payloads.prOpened, pull_request: pullRequest })).toBe('pull_request.user');
  });
});
