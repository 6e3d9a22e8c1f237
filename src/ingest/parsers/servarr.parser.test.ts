import { describe, expect, it } from 'vitest';
import { ParserInputError } from './parser.ts';
import { servarrParser } from './servarr.parser.ts';

const parse = (payload: unknown) => servarrParser(payload, {});

const series = {
  id: 1,
  title: 'Severance',
  path: '/tv/Severance',
  tvdbId: 371980,
  type: 'standard',
  year: 2022,
  images: [
    { coverType: 'banner', url: '/MediaCover/1/banner.jpg', remoteUrl: 'https://artworks.thetvdb.com/b.jpg' },
    { coverType: 'poster', url: '/MediaCover/1/poster.jpg', remoteUrl: 'https://artworks.thetvdb.com/p.jpg' },
  ],
};
const episode = {
  id: 101,
  episodeNumber: 2,
  seasonNumber: 1,
  title: 'Half Loop',
  seriesId: 1,
};
const downloadId = 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678';

const sonarrGrab = {
  series,
  episodes: [episode],
  release: {
    quality: 'WEBDL-1080p',
    releaseGroup: 'NTb',
    releaseTitle: 'Severance.S01E02.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb',
    indexer: 'Nyaa (Prowlarr)',
    size: 2917324981,
  },
  downloadClient: 'qBittorrent',
  downloadId,
  eventType: 'Grab',
  instanceName: 'Sonarr',
  applicationUrl: '',
};

const sonarrDownload = {
  series,
  episodes: [episode],
  episodeFile: {
    id: 55,
    path: '/tv/Severance/Season 01/Severance - S01E02 - Half Loop WEBDL-1080p.mkv',
    quality: 'WEBDL-1080p',
    size: 2917324981,
  },
  isUpgrade: false,
  downloadClient: 'qBittorrent',
  downloadId,
  eventType: 'Download',
  instanceName: 'Sonarr',
  applicationUrl: 'https://sonarr.example.com',
};

describe('servarr parser: Sonarr', () => {
  it('describes an import with episode code, title and quality', () => {
    const message = parse(sonarrDownload);
    expect(message).toMatchObject({
      title: 'Sonarr: Downloaded',
      body: 'Severance S01E02 - Half Loop [WEBDL-1080p]',
      deliveryType: 'NORMAL',
      tapAction: { type: 'NAVIGATE', value: 'https://sonarr.example.com' },
      groupId: 'Sonarr',
      imageUrl: 'https://artworks.thetvdb.com/p.jpg',
    });
  });

  it('lets the import replace the grab of the same download', () => {
    const grab = parse(sonarrGrab);
    expect(grab.title).toBe('Sonarr: Grabbed');
    expect(grab.body).toBe('Severance S01E02 - Half Loop [WEBDL-1080p]\nIndexer: Nyaa (Prowlarr)');
    expect(grab).not.toHaveProperty('tapAction'); // empty applicationUrl
    expect(grab.collapseId).toBe(parse(sonarrDownload).collapseId);
    expect(grab.collapseId).toBe(`Sonarr:download:${downloadId}`);
  });

  it('shows a season pack as an episode range', () => {
    const episodes = [1, 2, 3].map((n) => ({ ...episode, id: 100 + n, episodeNumber: n, title: `Ep ${n}` }));
    expect(parse({ ...sonarrGrab, episodes }).body).toMatch(/^Severance S01E01-E03 \[WEBDL-1080p\]/);
  });

  it('uses a renamed instance as the title and says when a download is an upgrade', () => {
    const message = parse({ ...sonarrDownload, instanceName: 'Sonarr 4K', isUpgrade: true });
    expect(message).toMatchObject({ title: 'Sonarr 4K: Upgraded', groupId: 'Sonarr 4K' });
  });

  it('does not show the placeholder media of a test', () => {
    const message = parse({
      series: { id: 1, title: 'Test Title', path: 'C:\\testpath', tvdbId: 1234, type: 'standard', year: 0 },
      episodes: [{ id: 123, episodeNumber: 1, seasonNumber: 1, title: 'Test title' }],
      eventType: 'Test',
      instanceName: 'Sonarr',
      applicationUrl: '',
    });
    expect(message).toEqual({
      title: 'Sonarr: Test',
      body: 'Webhook test from Sonarr.',
      deliveryType: 'NORMAL',
      groupId: 'Sonarr',
    });
  });

  it('keeps renames quiet and gives the reason for a file deletion', () => {
    const rename = { series, renamedEpisodeFiles: [], eventType: 'Rename', instanceName: 'Sonarr' };
    expect(parse(rename).deliveryType).toBe('SILENT');
    const deleted = parse({
      series,
      episodes: [episode],
      episodeFile: sonarrDownload.episodeFile,
      deleteReason: 'upgrade',
      eventType: 'EpisodeFileDelete',
      instanceName: 'Sonarr',
    });
    const body = 'Severance S01E02 - Half Loop [WEBDL-1080p]\nReason: Upgrade';
    expect(deleted).toMatchObject({ title: 'Sonarr: File deleted', body });
  });

  it('lists what blocks an import that needs manual interaction', () => {
    const message = parse({
      series,
      episodes: [episode],
      downloadInfo: { quality: 'WEBDL-1080p', title: 'Severance.S01E02.1080p', status: 'completed' },
      downloadClient: 'qBittorrent',
      downloadId,
      downloadStatus: 'Warning',
      downloadStatusMessages: [
        { title: 'Severance.S01E02.1080p.mkv', messages: ['Unable to determine if file is a sample'] },
      ],
      eventType: 'ManualInteractionRequired',
      instanceName: 'Sonarr',
    });
    expect(message.title).toBe('Sonarr: Manual interaction required');
    expect(message.body).toBe(
      'Severance S01E02 - Half Loop [WEBDL-1080p]\nSeverance.S01E02.1080p.mkv\nUnable to determine if file is a sample',
    );
  });

  it('makes an error-level health check critical and lets the restore replace it', () => {
    const health = {
      level: 'error',
      message: 'No download client is available',
      type: 'DownloadClientCheck',
      wikiUrl: 'https://wiki.servarr.com/sonarr/system#no-download-client-is-available',
      eventType: 'Health',
      instanceName: 'Sonarr',
      applicationUrl: '',
    };
    const issue = parse(health);
    expect(issue).toMatchObject({
      title: 'Sonarr: Health issue',
      subtitle: 'Download client check',
      body: 'No download client is available',
      deliveryType: 'CRITICAL',
      tapAction: { type: 'NAVIGATE', value: health.wikiUrl },
      actions: [{ type: 'NAVIGATE', value: health.wikiUrl, title: 'Wiki' }],
      collapseId: 'Sonarr:health:DownloadClientCheck',
    });
    const restored = parse({ ...health, level: 'ok', eventType: 'HealthRestored' });
    expect(restored).toMatchObject({ title: 'Sonarr: Health restored', deliveryType: 'NORMAL' });
    expect(restored.collapseId).toBe(issue.collapseId);
    // older builds send the level as a number
    expect(parse({ ...health, level: 3 }).deliveryType).toBe('CRITICAL');
    expect(parse({ ...health, level: 'warning' }).deliveryType).toBe('NORMAL');
  });
});

describe('servarr parser: Radarr, Lidarr, Readarr, Prowlarr', () => {
  it('formats a Radarr upgrade from its movie file', () => {
    const message = parse({
      movie: {
        id: 7,
        title: 'Dune',
        year: 2021,
        tmdbId: 438631,
        images: [
          { coverType: 'poster', url: '/MediaCover/7/poster.jpg', remoteUrl: 'https://image.tmdb.org/p.jpg' },
        ],
      },
      remoteMovie: { tmdbId: 438631, imdbId: 'tt1160419', title: 'Dune', year: 2021 },
      movieFile: {
        id: 31,
        path: '/movies/Dune (2021)/Dune (2021) Bluray-2160p.mkv',
        quality: 'Bluray-2160p',
        releaseGroup: 'FraMeSToR',
        size: 74123456789,
      },
      isUpgrade: true,
      downloadClient: 'SABnzbd',
      downloadId: 'SABnzbd_nzo_abc123',
      eventType: 'Download',
      instanceName: 'Radarr',
      applicationUrl: '',
    });
    expect(message.title).toBe('Radarr: Upgraded');
    expect(message.body).toBe('Dune (2021) [Bluray-2160p]');
    expect(message.imageUrl).toMatch(/^https:\/\/image\.tmdb\.org\//);
  });

  it('says a movie was added', () => {
    const movie = { id: 8, title: 'Arrival', year: 2016, tmdbId: 329865 };
    const message = parse({ movie, addMethod: 'manual', eventType: 'MovieAdded', instanceName: 'Radarr' });
    expect(message).toMatchObject({ title: 'Radarr: Added', body: 'Arrival (2016)' });
  });

  it('formats a Lidarr grab of albums', () => {
    const message = parse({
      artist: { id: 3, name: 'Radiohead', path: '/music/Radiohead', mbId: 'a74b1b7f-71a5-4011' },
      albums: [{ id: 40, title: 'OK Computer', releaseDate: '1997-05-21T00:00:00Z' }],
      release: { quality: 'FLAC', releaseTitle: 'Radiohead - OK Computer (1997) [FLAC]', indexer: 'RED' },
      downloadClient: 'Transmission',
      downloadId: 'ABCDEF0123456789',
      eventType: 'Grab',
      instanceName: 'Lidarr',
    });
    expect(message).toMatchObject({
      title: 'Lidarr: Grabbed',
      body: 'Radiohead - OK Computer [FLAC]\nIndexer: RED',
    });
  });

  it('formats a Readarr import from its book files', () => {
    const message = parse({
      author: { id: 2, name: 'Ursula K. Le Guin', path: '/books/Ursula K. Le Guin' },
      book: { id: 9, title: 'The Left Hand of Darkness', releaseDate: '1969-03-01T00:00:00Z' },
      bookFiles: [{ id: 12, path: '/books/The Left Hand of Darkness.epub', quality: 'EPUB', size: 512000 }],
      isUpgrade: false,
      eventType: 'Download',
      instanceName: 'Readarr',
    });
    expect(message.body).toBe('Ursula K. Le Guin - The Left Hand of Darkness [EPUB]');
  });

  it('recognises Prowlarr indexer health and grabs without a media entity', () => {
    const health = parse({
      level: 'warning',
      message: 'Indexers unavailable due to failures: 1337x',
      type: 'IndexerStatusCheck',
      wikiUrl: 'https://wiki.servarr.com/prowlarr/system#indexers-are-unavailable-due-to-failures',
      eventType: 'Health',
      instanceName: 'Prowlarr',
    });
    expect(health).toMatchObject({
      title: 'Prowlarr: Health issue',
      subtitle: 'Indexer status check',
      body: 'Indexers unavailable due to failures: 1337x',
      deliveryType: 'NORMAL',
    });
    const grab = parse({
      release: { releaseTitle: 'Ubuntu 24.04 LTS', indexer: 'LinuxTracker', size: 6114656256 },
      trigger: 'manual',
      source: 'Prowlarr',
      host: 'Prowlarr',
      eventType: 'Grab',
      instanceName: 'Indexers',
    });
    expect(grab).toMatchObject({ title: 'Indexers: Grabbed', body: 'Ubuntu 24.04 LTS from LinuxTracker' });
  });

  it('reports an application update with its versions', () => {
    const message = parse({
      message: 'Radarr updated from 5.8.3.8933 to 5.9.1.9070',
      previousVersion: '5.8.3.8933',
      newVersion: '5.9.1.9070',
      eventType: 'ApplicationUpdate',
      instanceName: 'Radarr',
    });
    expect(message).toMatchObject({
      title: 'Radarr: Updated',
      body: 'Radarr updated from 5.8.3.8933 to 5.9.1.9070',
    });
  });

  it('names unknown events instead of failing', () => {
    expect(parse({ eventType: 'ImportComplete', instanceName: 'Sonarr' }).title).toBe(
      'Sonarr: Import complete',
    );
    expect(parse({ eventType: 'constructor' }).title).toBe('Servarr: Constructor');
  });
});

describe('servarr parser: rejections', () => {
  it('rejects a payload that is not an object', () => {
    expect(() => parse('Download')).toThrow(ParserInputError);
    expect(() => parse([sonarrDownload])).toThrow(/must be a JSON object, got an array/);
  });

  it('rejects a payload without eventType, naming the field', () => {
    const { eventType: _omit, ...withoutEvent } = sonarrDownload;
    expect(() => parse(withoutEvent)).toThrow(
      expect.objectContaining({ field: 'eventType', message: expect.stringContaining('"eventType"') }),
    );
  });
});
