import { describe, expect, it } from 'vitest';
import { refusedFieldOf } from '../../../test/support/parser-refusal.ts';
import { railwayParser } from './railway.parser.ts';

// The messages below are what Zentik's built-in railway parser produces for these payloads,
// worked out from its source; the payloads are written here in the source system's own format.
const NOW = new Date('2025-07-01T12:00:00.000Z');
const parse = (payload: unknown, headers: Record<string, string> = {}) =>
  railwayParser(payload, headers, NOW);

const payloads = {
  current: {
    type: 'Deployment.failed',
    details: {
      id: '5d0a77c4-1f2e-4b6a-9c3d-8e7f6a5b4c3d',
      source: 'GitHub',
      status: 'FAILED',
      branch: 'main',
      commitHash: '3f2a1b0',
      commitAuthor: 'mona',
      commitMessage: 'Bump deps',
      serviceId: '0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b',
    },
    resource: {
      workspace: {
        id: 'ws_1',
        name: 'Acme',
      },
      project: {
        id: '8c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f',
        name: 'lighthouse',
      },
      environment: {
        id: 'env_1',
        name: 'production',
        isEphemeral: false,
      },
      service: {
        id: '0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b',
        name: 'api',
      },
      deployment: {
        id: '5d0a77c4-1f2e-4b6a-9c3d-8e7f6a5b4c3d',
      },
    },
    severity: 'ERROR',
    timestamp: '2025-06-03T14:05:09.120Z',
  },
  legacySuccess: {
    type: 'DEPLOY',
    timestamp: '2025-01-20T18:42:00.000Z',
    project: {
      id: 'p-123',
      name: 'Blog',
      description: 'Personal blog',
      createdAt: '2024-03-01T10:00:00.000Z',
    },
    environment: {
      id: 'e-1',
      name: 'production',
    },
    deployment: {
      id: 'd-789',
      creator: {
        id: 'u-1',
        name: 'Mona Lisa',
        avatar: 'https://avatars.githubusercontent.com/u/1',
      },
      meta: {
        reason: 'deploy',
        runtime: 'V2',
      },
    },
    service: {
      id: 's-456',
      name: 'web',
    },
    status: 'SUCCESS',
  },
  legacyBuilding: {
    type: 'DEPLOY',
    timestamp: '2025-01-20T18:40:00.000Z',
    project: {
      id: 'p-123',
      name: 'Blog',
      createdAt: '2024-03-01T10:00:00.000Z',
    },
    environment: {
      id: 'e-1',
      name: 'staging',
    },
    deployment: {
      id: 'd-790',
      creator: {
        id: 'u-1',
        name: null,
      },
    },
    status: 'BUILDING',
  },
  noTimestamp: {
    type: 'VOLUME_ALERT',
    project: {
      id: 'p-9',
      name: 'Data',
    },
    environment: {
      id: 'e-9',
      name: 'production',
    },
  },
  noType: {
    project: {
      id: 'p',
      name: 'x',
    },
    environment: {
      name: 'production',
    },
  },
  noProject: {
    type: 'DEPLOY',
    environment: {
      name: 'production',
    },
  },
};

describe('railway parser: Railway webhooks, as Zentik reads them', () => {
  it('the current format (resource + details): a failed deployment is CRITICAL', () => {
    expect(parse(payloads.current)).toEqual({
      title: '❌ lighthouse - api',
      subtitle: 'Deployment.failed - FAILED',
      body: 'Project: lighthouse\nService: api\nEnvironment: production\nDeployment ID: 5d0a77c4-1f2e-4b6a-9c3d-8e7f6a5b4c3d\nTimestamp: 03/06/2025, 14:05:09\n\n<a href="https://railway.app/project/8c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f">View Project</a> • <a href="https://railway.app/project/8c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f/service/0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b">View Service</a>',
      deliveryType: 'CRITICAL',
    });
  });
  it('the legacy format: a successful deployment names who started it', () => {
    expect(parse(payloads.legacySuccess)).toEqual({
      title: '✅ Blog - web',
      subtitle: 'DEPLOY - SUCCESS',
      body: 'Project: Blog\nService: web\nEnvironment: production\nStarted by: Mona Lisa\nDeployment ID: d-789\nTimestamp: 20/01/2025, 18:42:00\n\n<a href="https://railway.app/project/p-123">View Project</a> • <a href="https://railway.app/project/p-123/service/s-456">View Service</a>',
      deliveryType: 'NORMAL',
    });
  });
  it('a build in progress has no marker', () => {
    expect(parse(payloads.legacyBuilding)).toEqual({
      title: 'Blog',
      subtitle: 'DEPLOY - BUILDING',
      body: 'Project: Blog\nEnvironment: staging\nDeployment ID: d-790\nTimestamp: 20/01/2025, 18:40:00\n\n<a href="https://railway.app/project/p-123">View Project</a>',
      deliveryType: 'NORMAL',
    });
  });
  it('a payload without a timestamp is dated when it arrives', () => {
    expect(parse(payloads.noTimestamp)).toEqual({
      title: 'Data',
      subtitle: 'VOLUME_ALERT',
      body: 'Project: Data\nEnvironment: production\nTimestamp: 01/07/2025, 12:00:00\n\n<a href="https://railway.app/project/p-9">View Project</a>',
      deliveryType: 'NORMAL',
    });
  });
  it('skips a payload without type', () => {
    expect(parse(payloads.noType)).toBeNull();
  });
  it('skips a payload without a project name', () => {
    expect(parse(payloads.noProject)).toBeNull();
  });

  it('skips a body that is not a JSON object', () => {
    for (const payload of [undefined, null, 'text', 42, []]) expect(parse(payload)).toBeNull();
  });
});

const refusedField = (payload: unknown) => refusedFieldOf(parse, payload);

describe('railway parser: payloads Zentik answers with its parsing-error message', () => {
  it('refuses a status that is not text', () => {
    expect(refusedField({ ...payloads.legacySuccess, status: 1 })).toBe('status');
  });
});
