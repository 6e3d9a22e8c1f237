import { describe, expect, it } from 'vitest';
import { refusedFieldOf } from '../../../test/support/parser-refusal.ts';
import { expoParser } from './expo.parser.ts';

// The messages below are what Zentik's built-in expo parser produces for these payloads,
// worked out from its source; the payloads are written here in the source system's own format.
const NOW = new Date('2025-07-01T12:00:00.000Z');
const parse = (payload: unknown, headers: Record<string, string> = {}) => expoParser(payload, headers, NOW);

const payloads = {
  androidBuild: {
    id: '147a3212-49fd-446f-b4e3-a6519acf264a',
    accountName: 'acme',
    projectName: 'lighthouse-app',
    buildDetailsPageUrl:
      'https://expo.dev/accounts/acme/projects/lighthouse-app/builds/147a3212-49fd-446f-b4e3-a6519acf264a',
    parentBuildId: null,
    appId: 'bc0a82de-65a5-4497-ad86-54ff1f53edf7',
    initiatingUserId: 'u1',
    cancelingUserId: null,
    platform: 'android',
    status: 'finished',
    artifacts: {
      buildUrl: 'https://expo.dev/artifacts/eas/abc123.apk',
      logsS3KeyPrefix: 'production/abc',
    },
    metadata: {
      appName: 'Lighthouse',
      username: 'mona',
      workflow: 'managed',
      appVersion: '1.4.0',
      appBuildVersion: '42',
      cliVersion: '10.2.1',
      sdkVersion: '52.0.0',
      buildProfile: 'preview',
      distribution: 'internal',
      appIdentifier: 'org.acme.lighthouse',
      gitCommitHash: 'e0f1a2b',
      gitCommitMessage: 'Release 1.4.0',
      runtimeVersion: '1.4.0',
      channel: 'preview',
    },
    metrics: {
      memory: 895232000,
      buildEndTimestamp: 1746180000000,
      buildStartTimestamp: 1746179500000,
    },
    createdAt: '2025-05-02T09:00:00.000Z',
    enqueuedAt: '2025-05-02T09:00:01.000Z',
    workerStartedAt: '2025-05-02T09:00:40.000Z',
    completedAt: '2025-05-02T09:08:25.000Z',
    updatedAt: '2025-05-02T09:08:25.000Z',
    expirationDate: '2025-06-01T09:00:00.000Z',
    priority: 'normal',
    resourceClass: 'android-default',
    actualResourceClass: 'android-n2-standard-4',
    maxRetryTimeMinutes: 0,
  },
  iosBuildErrored: {
    id: '2b3c',
    accountName: 'acme',
    projectName: 'lighthouse-app',
    buildDetailsPageUrl: 'https://expo.dev/accounts/acme/projects/lighthouse-app/builds/2b3c',
    appId: 'bc0a',
    platform: 'ios',
    status: 'errored',
    metadata: {
      appVersion: '1.4.0',
      buildProfile: 'production',
    },
    error: {
      message: 'Fastlane gym failed',
      errorCode: 'XCODE_BUILD_ERROR',
    },
    createdAt: '2025-05-02T09:00:00.000Z',
    completedAt: '2025-05-02T09:00:30.000Z',
    updatedAt: '2025-05-02T09:00:30.000Z',
  },
  iosBuildCanceled: {
    id: '3c4d',
    accountName: 'acme',
    projectName: 'lighthouse-app',
    buildDetailsPageUrl: 'https://expo.dev/accounts/acme/projects/lighthouse-app/builds/3c4d',
    appId: 'bc0a',
    platform: 'ios',
    status: 'canceled',
    cancelingUserId: 'u1',
    createdAt: '2025-05-02T09:00:00.000Z',
    completedAt: '2025-05-02T11:05:00.000Z',
    updatedAt: '2025-05-02T11:05:00.000Z',
  },
  iosSubmit: {
    id: '0374430d-7776-44ad-be7d-8513629adc54',
    accountName: 'acme',
    projectName: 'lighthouse-app',
    submissionDetailsPageUrl:
      'https://expo.dev/accounts/acme/projects/lighthouse-app/submissions/0374430d-7776-44ad-be7d-8513629adc54',
    parentSubmissionId: null,
    appId: 'bc0a',
    archiveUrl: 'https://expo.dev/artifacts/eas/xyz.ipa',
    initiatingUserId: 'u1',
    cancelingUserId: null,
    turtleBuildId: '8c84111e',
    platform: 'ios',
    status: 'finished',
    submissionInfo: {
      logsUrl: 'https://submission-service-logs.s3.amazonaws.com/xyz.txt',
    },
    createdAt: '2025-05-02T10:00:00.000Z',
    updatedAt: '2025-05-02T10:04:00.000Z',
    completedAt: '2025-05-02T10:04:00.000Z',
  },
  androidSubmitErrored: {
    id: '5e6f',
    accountName: 'acme',
    projectName: 'lighthouse-app',
    submissionDetailsPageUrl: 'https://expo.dev/accounts/acme/projects/lighthouse-app/submissions/5e6f',
    appId: 'bc0a',
    archiveUrl: 'https://expo.dev/artifacts/eas/abc.aab',
    platform: 'android',
    status: 'errored',
    submissionInfo: {
      error: {
        message: 'Google Play rejected the upload',
        errorCode: 'SUBMISSION_SERVICE_ANDROID_UPLOAD_FAILED',
      },
      logsUrl: 'https://logs.example.org/5e6f.txt',
    },
    createdAt: '2025-05-02T10:00:00.000Z',
    updatedAt: '2025-05-02T10:01:00.000Z',
  },
  webPlatform: {
    id: 'x',
    accountName: 'acme',
    projectName: 'p',
    platform: 'web',
    status: 'finished',
    buildDetailsPageUrl: 'https://expo.dev/b',
  },
  inProgress: {
    id: 'x',
    accountName: 'acme',
    projectName: 'p',
    platform: 'ios',
    status: 'in-progress',
    buildDetailsPageUrl: 'https://expo.dev/b',
  },
  noBuildOrSubmitFields: {
    id: 'x',
    accountName: 'acme',
    projectName: 'p',
    platform: 'ios',
    status: 'finished',
    appId: 'a',
  },
};

describe('expo parser: EAS build and submit webhooks, as Zentik reads them', () => {
  it('a finished Android build with its APK', () => {
    expect(parse(payloads.androidBuild)).toEqual({
      title: '🤖 ✅ EAS Build Finished',
      subtitle: 'Build: lighthouse-app',
      body: 'Project: lighthouse-app\nAccount: acme\nPlatform: Android\nApp Version: 1.4.0\nBuild Version: 42\nProfile: preview\nCommit: Release 1.4.0\n\nDuration: 8m 25s\n\nBuild Details: https://expo.dev/accounts/acme/projects/lighthouse-app/builds/147a3212-49fd-446f-b4e3-a6519acf264a\n\nDownload: https://expo.dev/artifacts/eas/abc123.apk',
      deliveryType: 'NORMAL',
      attachments: [
        {
          url: 'https://expo.dev/artifacts/eas/abc123.apk',
          mediaType: 'ICON',
          name: 'lighthouse-app Android APK',
          saveOnServer: false,
        },
      ],
    });
  });
  it('an errored iOS build is CRITICAL', () => {
    expect(parse(payloads.iosBuildErrored)).toEqual({
      title: '🍎 ❌ EAS Build Errored',
      subtitle: 'Build: lighthouse-app',
      body: 'Project: lighthouse-app\nAccount: acme\nPlatform: Ios\nApp Version: 1.4.0\nProfile: production\n\nError: Fastlane gym failed (XCODE_BUILD_ERROR)\nDuration: 30s\n\nBuild Details: https://expo.dev/accounts/acme/projects/lighthouse-app/builds/2b3c',
      deliveryType: 'CRITICAL',
    });
  });
  it('a canceled build shows hours', () => {
    expect(parse(payloads.iosBuildCanceled)).toEqual({
      title: '🍎 ⏹️ EAS Build Canceled',
      subtitle: 'Build: lighthouse-app',
      body: 'Project: lighthouse-app\nAccount: acme\nPlatform: Ios\n\nDuration: 2h 5m\n\nBuild Details: https://expo.dev/accounts/acme/projects/lighthouse-app/builds/3c4d',
      deliveryType: 'NORMAL',
    });
  });
  it('a finished iOS submission', () => {
    expect(parse(payloads.iosSubmit)).toEqual({
      title: '🍎 ✅ EAS Submit Finished',
      subtitle: 'Submit: lighthouse-app',
      body: 'Project: lighthouse-app\nAccount: acme\nPlatform: Ios\n\nDuration: 4m 0s\n\nSubmission Details: https://expo.dev/accounts/acme/projects/lighthouse-app/submissions/0374430d-7776-44ad-be7d-8513629adc54\n\nLogs: https://submission-service-logs.s3.amazonaws.com/xyz.txt',
      deliveryType: 'NORMAL',
    });
  });
  it('an errored Android submission', () => {
    expect(parse(payloads.androidSubmitErrored)).toEqual({
      title: '🤖 ❌ EAS Submit Errored',
      subtitle: 'Submit: lighthouse-app',
      body: 'Project: lighthouse-app\nAccount: acme\nPlatform: Android\n\nSubmission Error: Google Play rejected the upload (SUBMISSION_SERVICE_ANDROID_UPLOAD_FAILED)\n\nSubmission Details: https://expo.dev/accounts/acme/projects/lighthouse-app/submissions/5e6f\n\nLogs: https://logs.example.org/5e6f.txt',
      deliveryType: 'CRITICAL',
    });
  });
  it('skips a platform other than ios or android', () => {
    expect(parse(payloads.webPlatform)).toBeNull();
  });
  it('skips a status other than finished, errored or canceled', () => {
    expect(parse(payloads.inProgress)).toBeNull();
  });
  it('skips a payload with neither build nor submit fields', () => {
    expect(parse(payloads.noBuildOrSubmitFields)).toBeNull();
  });

  it('skips a body that is not a JSON object', () => {
    for (const payload of [undefined, null, 'text', 42, []]) expect(parse(payload)).toBeNull();
  });
});

const refusedField = (payload: unknown) => refusedFieldOf(parse, payload);

describe('expo parser: signatures and refusals', () => {
  it('does not check expo-signature (Zentik checks it only against a per-user key Herald does not have)', () => {
    expect(parse(payloads.iosSubmit, { 'expo-signature': 'sha1=0000' })).toEqual(parse(payloads.iosSubmit));
  });
  it('refuses a build URL that is not text, where Zentik fails', () => {
    expect(refusedField({ ...payloads.androidBuild, artifacts: { buildUrl: 5 } })).toBe('artifacts.buildUrl');
  });
});
