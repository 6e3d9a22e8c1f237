/**
 * The *arr family (Sonarr, Radarr, Lidarr, Readarr, Prowlarr) "Webhook" connection. All five
 * share one envelope, `{eventType, instanceName, applicationUrl, ...}`, and differ in the media
 * entity they attach: `series`+`episodes`, `movie`, `artist`+`album(s)`, `author`+`book(s)`;
 * Prowlarr has none and only sends Test, Grab, Health, HealthRestored and ApplicationUpdate.
 */

import { type DeliveryType, finishMessage, type ParsedMessage, type Parser } from './parser.ts';
import {
  asArray,
  asHttpUrl,
  asNumber,
  asObject,
  asObjects,
  asString,
  humanize,
  type JsonObject,
  linkActions,
  navigate,
  requireObject,
  requireString,
} from './payload-reader.ts';

type App = 'Sonarr' | 'Radarr' | 'Lidarr' | 'Readarr' | 'Prowlarr';
const APPS: readonly App[] = ['Sonarr', 'Radarr', 'Lidarr', 'Readarr', 'Prowlarr'];

const EVENT_TITLES: Readonly<Record<string, string>> = {
  Test: 'Test',
  Grab: 'Grabbed',
  Download: 'Downloaded',
  Rename: 'Renamed',
  Retag: 'Retagged',
  SeriesAdd: 'Added',
  MovieAdded: 'Added',
  ArtistAdd: 'Added',
  AuthorAdded: 'Added',
  SeriesDelete: 'Deleted',
  MovieDelete: 'Deleted',
  ArtistDelete: 'Deleted',
  AlbumDelete: 'Deleted',
  AuthorDelete: 'Deleted',
  BookDelete: 'Deleted',
  EpisodeFileDelete: 'File deleted',
  MovieFileDelete: 'File deleted',
  BookFileDelete: 'File deleted',
  DownloadFailure: 'Download failed',
  ImportFailure: 'Import failed',
  Health: 'Health issue',
  HealthRestored: 'Health restored',
  ApplicationUpdate: 'Updated',
  ManualInteractionRequired: 'Manual interaction required',
};

// Housekeeping that needs no attention: it lands in the inbox without buzzing a phone.
const QUIET_EVENTS: ReadonlySet<string> = new Set(['Rename', 'Retag']);

// Older builds serialise HealthCheckResult as its number (Ok, Notice, Warning, Error).
const HEALTH_LEVELS = ['ok', 'notice', 'warning', 'error'];

/** Media entities are more reliable than `instanceName`, which users rename ("Sonarr 4K", "TV"). */
function detectApp(payload: JsonObject): App | undefined {
  if (asObject(payload.series)) return 'Sonarr';
  if (asObject(payload.movie) || asObject(payload.remoteMovie)) return 'Radarr';
  if (asObject(payload.artist)) return 'Lidarr';
  if (asObject(payload.author)) return 'Readarr';
  const instance = asString(payload.instanceName)?.toLowerCase() ?? '';
  const named = APPS.find((app) => instance.includes(app.toLowerCase()));
  if (named !== undefined) return named;
  // A release naming its indexer but no media entity can only be a Prowlarr grab.
  if (asString(asObject(payload.release)?.indexer) !== undefined) return 'Prowlarr';
  return undefined;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function episodeCode(episode: JsonObject): string | undefined {
  const season = asNumber(episode.seasonNumber);
  const number = asNumber(episode.episodeNumber);
  return season === undefined || number === undefined ? undefined : `S${pad(season)}E${pad(number)}`;
}

/** `The Show S01E02 - Pilot`, or `The Show S01E01-E03` for a multi-episode file or pack. */
function describeEpisodes(seriesTitle: string, episodes: JsonObject[]): string {
  const [first] = episodes;
  const last = episodes[episodes.length - 1];
  if (first === undefined || last === undefined) return seriesTitle;
  const firstCode = episodeCode(first);
  if (firstCode === undefined) return seriesTitle;
  if (episodes.length === 1) {
    const name = asString(first.title);
    return `${seriesTitle} ${firstCode}${name !== undefined ? ` - ${name}` : ''}`;
  }
  const lastCode = episodeCode(last) ?? firstCode;
  const sameSeason = first.seasonNumber === last.seasonNumber;
  return `${seriesTitle} ${firstCode}-${sameSeason ? lastCode.slice(lastCode.indexOf('E')) : lastCode}`;
}

function titles(items: JsonObject[]): string | undefined {
  const names = items.flatMap((item) => asString(item.title) ?? []);
  return names.length === 0 ? undefined : names.join(', ');
}

function withParent(parent: string | undefined, child: string | undefined): string | undefined {
  if (parent === undefined) return child;
  return child === undefined ? parent : `${parent} - ${child}`;
}

/** The one-line name of what the event is about, e.g. `Dune (2021)` or `Artist - Album`. */
function describeSubject(app: App | undefined, p: JsonObject): string | undefined {
  switch (app) {
    case 'Sonarr': {
      const title = asString(asObject(p.series)?.title);
      return title === undefined ? undefined : describeEpisodes(title, asObjects(p.episodes));
    }
    case 'Radarr': {
      const movie = asObject(p.movie) ?? asObject(p.remoteMovie);
      const title = asString(movie?.title);
      const year = asNumber(movie?.year);
      return title !== undefined && year ? `${title} (${year})` : title;
    }
    case 'Lidarr': {
      const album = asString(asObject(p.album)?.title) ?? titles(asObjects(p.albums));
      return withParent(asString(asObject(p.artist)?.name), album);
    }
    case 'Readarr': {
      const book = asString(asObject(p.book)?.title) ?? titles(asObjects(p.books));
      return withParent(asString(asObject(p.author)?.name), book);
    }
    default: {
      const release = asObject(p.release);
      const title = asString(release?.releaseTitle) ?? asString(release?.title);
      const indexer = asString(release?.indexer);
      return title !== undefined && indexer !== undefined ? `${title} from ${indexer}` : title;
    }
  }
}

/** The imported file's quality beats the grabbed release's: an import can differ from the grab. */
function quality(p: JsonObject): string | undefined {
  const files = [
    p.episodeFile,
    p.movieFile,
    ...asArray(p.episodeFiles),
    ...asArray(p.trackFiles),
    ...asArray(p.bookFiles),
  ];
  for (const file of files) {
    const value = asString(asObject(file)?.quality);
    if (value !== undefined) return value;
  }
  return asString(asObject(p.release)?.quality) ?? asString(asObject(p.downloadInfo)?.quality);
}

function posterUrl(p: JsonObject): string | undefined {
  const entity = asObject(p.series) ?? asObject(p.movie) ?? asObject(p.artist) ?? asObject(p.author);
  const images = asObjects(entity?.images);
  const poster = images.find((image) => image.coverType === 'poster') ?? images[0];
  // `url` is a path on the *arr server; only `remoteUrl` is reachable by a phone.
  return asHttpUrl(poster?.remoteUrl);
}

function healthLevel(p: JsonObject): string | undefined {
  const level = p.level;
  if (typeof level === 'number') return HEALTH_LEVELS[level];
  return asString(level)?.toLowerCase();
}

function deliveryFor(eventType: string, p: JsonObject): DeliveryType {
  if (eventType === 'Health') return healthLevel(p) === 'error' ? 'CRITICAL' : 'NORMAL';
  return QUIET_EVENTS.has(eventType) ? 'SILENT' : 'NORMAL';
}

/** Event-specific lines under the subject line. */
function details(
  eventType: string,
  app: App | undefined,
  p: JsonObject,
  instance: string,
): Array<string | undefined> {
  switch (eventType) {
    case 'Test':
      return [`Webhook test from ${instance}.`];
    case 'Health':
    case 'HealthRestored':
      return [asString(p.message)];
    case 'ApplicationUpdate': {
      const from = asString(p.previousVersion);
      const to = asString(p.newVersion);
      return [asString(p.message) ?? (from && to ? `${from} → ${to}` : undefined)];
    }
    case 'Grab': {
      // Prowlarr's subject line already names the indexer.
      const indexer =
        app === 'Prowlarr' || app === undefined ? undefined : asString(asObject(p.release)?.indexer);
      return [indexer !== undefined ? `Indexer: ${indexer}` : undefined];
    }
    case 'SeriesDelete':
    case 'MovieDelete':
    case 'ArtistDelete':
    case 'AuthorDelete':
      return [p.deletedFiles === true ? 'Files were deleted from disk.' : undefined];
    case 'EpisodeFileDelete':
    case 'MovieFileDelete':
    case 'BookFileDelete': {
      const reason = asString(p.deleteReason);
      return [reason !== undefined ? `Reason: ${humanize(reason)}` : undefined];
    }
    case 'ManualInteractionRequired':
      return asObjects(p.downloadStatusMessages).flatMap((status) => [
        asString(status.title),
        ...asArray(status.messages).map(asString),
      ]);
    default:
      return [asString(p.message)];
  }
}

export const servarrParser: Parser = (payload) => {
  const p = requireObject(payload, 'Servarr');
  const eventType = requireString(p, 'eventType', 'Servarr');
  const app = detectApp(p);
  const instance = asString(p.instanceName) ?? app ?? 'Servarr';
  const isUpgrade = eventType === 'Download' && p.isUpgrade === true;
  const heading = isUpgrade
    ? 'Upgraded'
    : Object.hasOwn(EVENT_TITLES, eventType)
      ? EVENT_TITLES[eventType]
      : humanize(eventType);

  // A test payload carries placeholder media ("Test Title"), which would only confuse.
  const subject = eventType === 'Test' ? undefined : describeSubject(app, p);
  const grade = subject !== undefined ? quality(p) : undefined;
  const lines = [subject !== undefined && grade !== undefined ? `${subject} [${grade}]` : subject];
  lines.push(...details(eventType, app, p, instance));

  const isHealth = eventType === 'Health' || eventType === 'HealthRestored';
  const healthType = asString(p.type);
  const downloadId = asString(p.downloadId);
  const wikiUrl = asHttpUrl(p.wikiUrl);
  const appUrl = asHttpUrl(p.applicationUrl);

  const message: ParsedMessage = {
    title: `${instance}: ${heading}`,
    subtitle: isHealth && healthType !== undefined ? humanize(healthType) : undefined,
    body: lines.filter((line): line is string => line !== undefined).join('\n'),
    deliveryType: deliveryFor(eventType, p),
    tapAction: navigate(isHealth ? (wikiUrl ?? appUrl) : appUrl),
    actions: linkActions([
      ['Wiki', isHealth ? wikiUrl : undefined],
      [`Open ${instance}`, appUrl],
    ]),
    groupId: instance,
    // A restored check replaces its issue, and an import replaces the grab of the same download.
    collapseId: isHealth
      ? `${instance}:health:${healthType ?? 'general'}`
      : downloadId !== undefined
        ? `${instance}:download:${downloadId}`
        : undefined,
    imageUrl: posterUrl(p),
  };
  return finishMessage(message);
};
