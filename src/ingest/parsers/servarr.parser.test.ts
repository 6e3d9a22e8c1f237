import { describe, expect, it } from 'vitest';
import { refusedFieldOf } from '../../../test/support/parser-refusal.ts';
import { servarrParser } from './servarr.parser.ts';

// The messages below are what Zentik's built-in servarr parser produces for these payloads,
// worked out from its source; the payloads are written here in the source system's own format.
const NOW = new Date('2025-07-01T12:00:00.000Z');
const parse = (payload: unknown, headers: Record<string, string> = {}) =>
  servarrParser(payload, headers, NOW);

const payloads = {
  sonarrDownload: {
    series: {
      id: 7,
      title: 'Slow Horses',
      titleSlug: 'slow-horses',
      path: '/tv/Slow Horses',
      tvdbId: 393367,
      tvMazeId: 44933,
      imdbId: 'tt5875444',
      type: 'standard',
      year: 2022,
      genres: ['Drama', 'Thriller'],
      images: [
        {
          coverType: 'poster',
          url: '/MediaCover/7/poster.jpg',
          remoteUrl: 'https://artworks.thetvdb.com/banners/posters/393367-1.jpg',
        },
        {
          coverType: 'banner',
          url: '/MediaCover/7/banner.jpg',
        },
      ],
      tags: ['uhd'],
    },
    episodes: [
      {
        id: 301,
        episodeNumber: 3,
        seasonNumber: 4,
        title: 'Hello Goodbye',
        overview: 'River takes matters into his own hands.',
        airDate: '2024-09-11',
        airDateUtc: '2024-09-11T01:00:00Z',
        seriesId: 7,
        tvdbId: 10369541,
      },
    ],
    episodeFile: {
      id: 912,
      relativePath: 'Season 04/Slow Horses - S04E03 - Hello Goodbye WEBDL-2160p.mkv',
      path: '/tv/Slow Horses/Season 04/Slow Horses - S04E03 - Hello Goodbye WEBDL-2160p.mkv',
      quality: 'WEBDL-2160p',
      qualityVersion: 1,
      releaseGroup: 'FLUX',
      size: 6442450944,
      dateAdded: '2024-09-11T06:12:44Z',
      languages: [
        {
          id: 1,
          name: 'English',
        },
      ],
    },
    release: {
      quality: 'WEBDL-2160p',
      qualityVersion: 1,
      releaseGroup: 'FLUX',
      releaseTitle: 'Slow.Horses.S04E03.2160p.ATVP.WEB-DL.DDP5.1.HDR.H.265-FLUX',
      indexer: 'DrunkenSlug',
      size: 6442450944,
      customFormatScore: 0,
    },
    isUpgrade: false,
    downloadClient: 'SABnzbd',
    downloadClientType: 'Sabnzbd',
    downloadId: 'SABnzbd_nzo_a1b2c3',
    customFormatInfo: {
      customFormats: [],
      customFormatScore: 0,
    },
    eventType: 'Download',
    instanceName: 'Sonarr',
    applicationUrl: 'https://sonarr.example.org/',
  },
  sonarrGrab: {
    series: {
      id: 7,
      title: 'Slow Horses',
      path: '/tv/Slow Horses',
      tvdbId: 393367,
      type: 'standard',
      year: 2022,
      tags: [],
    },
    episodes: [
      {
        id: 302,
        episodeNumber: 4,
        seasonNumber: 4,
        title: 'Identity Theft',
        seriesId: 7,
        tvdbId: 10369542,
      },
    ],
    release: {
      quality: 'WEBDL-1080p',
      qualityVersion: 1,
      releaseGroup: 'NTb',
      releaseTitle: 'Slow.Horses.S04E04.1080p.WEB.H264-NTb',
      indexer: 'NZBgeek',
      size: 2147483648,
    },
    downloadClient: 'SABnzbd',
    eventType: 'Grab',
    instanceName: 'Sonarr',
    applicationUrl: 'https://sonarr.example.org',
  },
  radarrDownload: {
    movie: {
      id: 42,
      title: 'Dune: Part Two',
      year: 2024,
      releaseDate: '2024-05-14',
      folderPath: '/movies/Dune Part Two (2024)',
      tmdbId: 693134,
      imdbId: 'tt15239678',
      tags: ['4k', 'family'],
    },
    remoteMovie: {
      tmdbId: 693134,
      imdbId: 'tt15239678',
      title: 'Dune: Part Two',
      year: 2024,
    },
    movieFile: {
      id: 88,
      relativePath: 'Dune Part Two (2024) Bluray-2160p.mkv',
      quality: 'Bluray-2160p',
      size: 64424509440,
    },
    release: {
      quality: 'Bluray-2160p',
      qualityVersion: 1,
      releaseGroup: 'FraMeSToR',
      releaseTitle: 'Dune.Part.Two.2024.2160p.UHD.BluRay.REMUX-FraMeSToR',
      indexer: 'BeyondHD',
      size: 64424509440,
      customFormatScore: 1250,
    },
    isUpgrade: true,
    downloadClient: 'qBittorrent',
    eventType: 'Download',
    instanceName: 'Radarr',
    applicationUrl: 'https://radarr.example.org',
  },
  radarrImportedAlias: {
    movie: {
      id: 43,
      title: 'Arrival',
      year: 2016,
      folderPath: '/movies/Arrival (2016)',
      tmdbId: 329865,
      tags: [],
    },
    release: {
      quality: 'Bluray-1080p',
      releaseGroup: 'SPARKS',
      indexer: 'NZBgeek',
      size: 0,
    },
    eventType: 'Imported',
    instanceName: 'Radarr',
  },
  radarrDownloadFailure: {
    movie: {
      id: 44,
      title: 'Heat',
      year: 1995,
      folderPath: '/movies/Heat (1995)',
      tmdbId: 949,
      tags: [],
    },
    quality: 'Bluray-1080p',
    qualityVersion: 1,
    releaseTitle: 'Heat.1995.1080p.BluRay.x264',
    downloadClient: 'qBittorrent',
    message: 'Download client reported the download as failed',
    eventType: 'Failed',
    instanceName: 'Radarr',
  },
  health: {
    level: 'warning',
    message: 'Indexers unavailable due to failures for more than 6 hours: NZBgeek',
    type: 'IndexerLongTermStatusCheck',
    wikiUrl: 'https://wiki.servarr.com/sonarr/system#indexers-are-unavailable-due-to-failures',
    eventType: 'Health',
    instanceName: 'Sonarr',
  },
  healthIssueAlias: {
    level: 'error',
    message: 'No download client is available',
    type: 'DownloadClientCheck',
    eventType: 'HealthIssue',
    instanceName: 'Radarr 4K',
  },
  update: {
    message: 'Radarr updated from 5.8.3.8933 to 5.9.1.9070',
    previousVersion: '5.8.3.8933',
    newVersion: '5.9.1.9070',
    eventType: 'ApplicationUpdate',
    instanceName: 'Radarr',
    applicationUrl: 'https://radarr.example.org',
  },
  sonarrTest: {
    series: {
      id: 1,
      title: 'Test Title',
      path: 'C:\\testpath',
      tvdbId: 1234,
      tvMazeId: 0,
      type: 'standard',
      year: 0,
      genres: [],
      images: [],
      tags: ['test-tag'],
    },
    episodes: [
      {
        id: 123,
        episodeNumber: 1,
        seasonNumber: 1,
        title: 'Test title',
        seriesId: 0,
        tvdbId: 0,
      },
    ],
    eventType: 'Test',
    instanceName: 'Sonarr',
    applicationUrl: '',
  },
  unknownShape: {
    message: 'Manual interaction required',
    eventType: 'ManualInteractionRequired',
    instanceName: 'Sonarr',
  },
  prowlarrGrab: {
    release: {
      releaseTitle: 'Some.Release.1080p',
      indexer: 'NZBgeek',
      size: 1073741824,
      categories: ['Movies/HD'],
    },
    trigger: 'interactiveSearch',
    source: 'Prowlarr',
    host: 'prowlarr',
    eventType: 'Grab',
    instanceName: 'Prowlarr',
    applicationUrl: '',
  },
  seasonPack: {
    series: {
      id: 7,
      title: 'Slow Horses',
      tvdbId: 393367,
      year: 2022,
      tags: [],
    },
    episodes: [
      {
        id: 1,
        episodeNumber: 1,
        seasonNumber: 1,
        title: "Failure's Contagious",
        seriesId: 7,
        tvdbId: 1,
      },
    ],
    episodeFiles: [
      {
        id: 1,
        relativePath: 'a.mkv',
        quality: 'WEBDL-1080p',
        size: 1,
      },
    ],
    eventType: 'Download',
    instanceName: 'Sonarr',
  },
  noInstance: {
    movie: {
      id: 1,
      title: 'Heat',
      year: 1995,
    },
    eventType: 'Download',
  },
};

describe('servarr parser: Sonarr, Radarr and Prowlarr webhooks, as Zentik reads them', () => {
  it('a Sonarr download lists episode, release, file and tags, with the banner as image', () => {
    expect(parse(payloads.sonarrDownload)).toEqual({
      title: 'Download: Slow Horses S04E03 - Hello Goodbye (2022)',
      subtitle: 'TV Show via Sonarr',
      body: 'Slow Horses (2022)\nSeason: 4\nEpisode: 3\nTitle: Hello Goodbye\nOverview: River takes matters into his own hands.\nAir Date: 2024-09-11\nQuality: WEBDL-2160p\nGroup: FLUX\nIndexer: DrunkenSlug\nSize: 6 GB\nSize: 6 GB\nLanguages: English\nGenres: Drama, Thriller\nTags: uhd\nUpgrade: No\nCustom Format Score: 0\nInstance: Sonarr',
      deliveryType: 'NORMAL',
      attachments: [
        {
          url: 'https://sonarr.example.org/MediaCover/7/banner.jpg',
          mediaType: 'IMAGE',
          name: 'Slow Horses Banner',
          saveOnServer: false,
        },
      ],
    });
  });
  it('a Sonarr grab is an event Zentik does not map: it names the event type', () => {
    expect(parse(payloads.sonarrGrab)).toEqual({
      title: 'Grab: Slow Horses S04E04 - Identity Theft (2022)',
      subtitle: 'TV Show via Sonarr',
      body: 'Slow Horses (2022)\nSeason: 4\nEpisode: 4\nTitle: Identity Theft\nInstance: Sonarr\nEvent Type: Grab\nApplication: https://sonarr.example.org',
      deliveryType: 'NORMAL',
    });
  });
  it('a Radarr download lists the release and upgrade', () => {
    expect(parse(payloads.radarrDownload)).toEqual({
      title: 'Download: Dune: Part Two (2024)',
      subtitle: 'Movie via Radarr',
      body: 'Dune: Part Two (2024)\nQuality: Bluray-2160p\nGroup: FraMeSToR\nIndexer: BeyondHD\nSize: 60 GB\nTags: 4k, family\nUpgrade: Yes\nInstance: Radarr',
      deliveryType: 'NORMAL',
    });
  });
  it('Imported reads as an import and adds the path', () => {
    expect(parse(payloads.radarrImportedAlias)).toEqual({
      title: 'Imported: Arrival (2016)',
      subtitle: 'Movie via Radarr',
      body: 'Arrival (2016)\nQuality: Bluray-1080p\nGroup: SPARKS\nIndexer: NZBgeek\nSize: 0 B\nPath: /movies/Arrival (2016)\nInstance: Radarr',
      deliveryType: 'NORMAL',
    });
  });
  it('a failed download is CRITICAL', () => {
    expect(parse(payloads.radarrDownloadFailure)).toEqual({
      title: 'Failed: Heat (1995)',
      subtitle: 'Movie via Radarr',
      body: 'Heat (1995)\nInstance: Radarr',
      deliveryType: 'CRITICAL',
    });
  });
  it('a health check titles with its level and event', () => {
    expect(parse(payloads.health)).toEqual({
      title: '🟡 Sonarr Health Health',
      subtitle: 'System Health Check',
      body: 'Indexers unavailable due to failures for more than 6 hours: NZBgeek\nCheck Type: IndexerLongTermStatusCheck\nLevel: Warning\nMore Info: https://wiki.servarr.com/sonarr/system#indexers-are-unavailable-due-to-failures\nInstance: Sonarr',
      deliveryType: 'NORMAL',
    });
  });
  it('HealthIssue is CRITICAL', () => {
    expect(parse(payloads.healthIssueAlias)).toEqual({
      title: '🔴 Radarr 4K Health Health_issue',
      subtitle: 'System Health Check',
      body: 'No download client is available\nCheck Type: DownloadClientCheck\nLevel: Error\nInstance: Radarr 4K',
      deliveryType: 'CRITICAL',
    });
  });
  it('an application update says from and to', () => {
    expect(parse(payloads.update)).toEqual({
      title: '🔄 Radarr Updated',
      subtitle: 'Application Update',
      body: 'Radarr has been updated from 5.8.3.8933 to 5.9.1.9070\n\nRadarr updated from 5.8.3.8933 to 5.9.1.9070\n\nApplication URL: https://radarr.example.org',
      deliveryType: 'NORMAL',
    });
  });
  it('the Test event with a zero year', () => {
    expect(parse(payloads.sonarrTest)).toEqual({
      title: 'Test: Test Title S01E01 - Test title',
      subtitle: 'TV Show via Sonarr',
      body: 'Test Title\nSeason: 1\nEpisode: 1\nTitle: Test title\nTags: test-tag\nInstance: Sonarr\nEvent Type: Test',
      deliveryType: 'NORMAL',
    });
  });
  it('a message without a known entity becomes the unknown-payload message', () => {
    expect(parse(payloads.unknownShape)).toEqual({
      title: '❓ Unknown payload: Sonarr',
      subtitle: 'Unknown Event from Sonarr',
      body: 'Unknown payload received from Servarr application.\nEvent Type: ManualInteractionRequired\nInstance: Sonarr\nMessage: Manual interaction required\n\nRaw Payload:\n{\n  "message": "Manual interaction required",\n  "eventType": "ManualInteractionRequired",\n  "instanceName": "Sonarr"\n}',
      deliveryType: 'NORMAL',
    });
  });
  it('skips a Prowlarr grab (no media entity)', () => {
    expect(parse(payloads.prowlarrGrab)).toBeNull();
  });
  it('skips a multi-file episodeFiles event', () => {
    expect(parse(payloads.seasonPack)).toBeNull();
  });
  it('skips a payload without instanceName', () => {
    expect(parse(payloads.noInstance)).toBeNull();
  });

  it('skips a body that is not a JSON object', () => {
    for (const payload of [undefined, null, 'text', 42, []]) expect(parse(payload)).toBeNull();
  });
});

const refusedField = (payload: unknown) => refusedFieldOf(parse, payload);

describe('servarr parser: payloads Zentik fails on', () => {
  it('refuses an eventType that is not text', () => {
    expect(refusedField({ ...payloads.radarrDownload, eventType: 7 })).toBe('eventType');
  });
  it('refuses a first episode that is not an object', () => {
    expect(refusedField({ ...payloads.sonarrGrab, episodes: [null] })).toBe('episodes[0]');
  });
  it('leaves out a relative image when there is no applicationUrl to make it absolute', () => {
    const { applicationUrl: _, ...payload } = payloads.sonarrDownload;
    expect(parse(payload)).not.toHaveProperty('attachments');
  });
});
