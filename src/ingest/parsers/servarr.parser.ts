/**
 * The *arr family's "Webhook" connection (Sonarr, Radarr, Prowlarr, …), read as Zentik's
 * built-in parser reads it. All share one envelope, `{eventType, instanceName, applicationUrl,
 * …}`, plus the entity the event is about: `series` + `episodes` (+ `episodeFile`), `movie`,
 * Prowlarr's `indexer` / `indexerStatus`, a health check's `level` + `message` + `type`, or an
 * update's `previousVersion` + `newVersion`.
 *
 * Skipped (204, no message), as in Zentik: no `eventType` or `instanceName`; none of the entities
 * above (nor `message`); or the multi-file `episodeFiles` form.
 */
import {
  type DeliveryType,
  finishZentikMessage,
  type ParsedAttachment,
  type ParsedMessage,
  type Parser,
  SKIPPED,
} from './parser.ts';
import { asHttpUrl, asObject, type JsonObject } from './payload-reader.ts';
import { capitalize, list, need, needObjects, obj, optText, text } from './zentik-reader.ts';

type MediaKind = 'movie' | 'series' | 'indexer' | 'indexerStatus' | 'health' | 'application_update';

interface Media {
  kind: MediaKind;
  title?: unknown;
  year?: unknown;
  folderPath?: unknown;
  tags?: unknown;
  genres?: unknown;
  episodes?: unknown[];
  episodeFile?: unknown;
  implementation?: unknown;
  protocol?: unknown;
  priority?: unknown;
  status?: unknown;
  lastCheck?: unknown;
  lastError?: unknown;
  level?: string;
  message?: unknown;
  wikiUrl?: unknown;
  checkType?: unknown;
  previousVersion?: unknown;
  newVersion?: unknown;
}

const EVENT_ALIASES: Readonly<Record<string, string>> = {
  download: 'download',
  grabbed: 'download',
  imported: 'imported',
  import: 'imported',
  failed: 'failed',
  failure: 'failed',
  healthissue: 'health_issue',
  healthrestored: 'health_restored',
  applicationupdate: 'application_update',
};

const KNOWN_EVENTS: ReadonlySet<string> = new Set([
  'download',
  'grabbed',
  'imported',
  'import',
  'failed',
  'failure',
  'deleted',
  'renamed',
  'health_issue',
  'health_restored',
  'healthissue',
  'healthrestored',
  'application_update',
]);

const join = (value: unknown): string | undefined => {
  const items = list(value);
  return items !== undefined && items.length > 0 ? items.join(', ') : undefined;
};

function mediaOf(p: JsonObject): Media | undefined {
  if (p.movie) {
    const movie = obj(p.movie);
    return {
      kind: 'movie',
      title: movie?.title,
      year: movie?.year,
      folderPath: movie?.folderPath,
      tags: movie?.tags || [],
    };
  }
  if (p.series) {
    const series = obj(p.series);
    return {
      kind: 'series',
      title: series?.title,
      year: series?.year,
      folderPath: series?.folderPath || series?.path,
      tags: series?.tags || [],
      genres: series?.genres || [],
      episodes: list(p.episodes) ?? [],
      episodeFile: p.episodeFile,
    };
  }
  const episodes = list(p.episodes);
  if (episodes !== undefined && episodes.length > 0) {
    // Episodes without their series: the title is unknown and left out of the text.
    return {
      kind: 'series',
      title: 'Unknown Series',
      year: 0,
      folderPath: '',
      episodes,
      episodeFile: p.episodeFile,
    };
  }
  if (p.indexer) {
    const indexer = obj(p.indexer);
    return {
      kind: 'indexer',
      title: indexer?.name,
      implementation: indexer?.implementation,
      protocol: indexer?.protocol,
      priority: indexer?.priority,
      tags: indexer?.tags || [],
    };
  }
  if (p.indexerStatus) {
    const status = obj(p.indexerStatus);
    return {
      kind: 'indexerStatus',
      title: status?.name,
      status: status?.status,
      lastCheck: status?.lastCheck,
      lastError: status?.lastError,
    };
  }
  if (p.message && p.level && p.type) {
    return {
      kind: 'health',
      title: p.type,
      level: text(p.level, 'level'),
      message: p.message,
      wikiUrl: p.wikiUrl,
      checkType: p.type,
    };
  }
  if (p.previousVersion && p.newVersion) {
    return { kind: 'application_update', previousVersion: p.previousVersion, newVersion: p.newVersion };
  }
  return undefined;
}

/** Bytes in binary units with up to two decimals: 2917324981 → "2.72 GB". */
function fileSize(bytes: unknown): string {
  if (!bytes) return '0 B';
  const n = Number(bytes);
  const i = Math.floor(Math.log(n) / Math.log(1024));
  return `${Number.parseFloat((n / 1024 ** i).toFixed(2))} ${['B', 'KB', 'MB', 'GB', 'TB'][i]}`;
}

function healthIcon(level: string): string {
  switch (level.toLowerCase()) {
    case 'error':
      return '🔴';
    case 'warning':
      return '🟡';
    case 'info':
      return '🔵';
    default:
      return '⚪';
  }
}

const SUBTITLES: Readonly<Record<MediaKind, string>> = {
  movie: 'Movie via Radarr',
  series: 'TV Show via Sonarr',
  indexer: 'Indexer via Prowlarr',
  indexerStatus: 'Indexer via Prowlarr',
  health: 'System Health Check',
  application_update: 'Application Update',
};

/** The first episode, which Zentik reads without checking it is an object. */
const firstEpisode = (media: Media): JsonObject | undefined =>
  media.episodes !== undefined && media.episodes.length > 0
    ? need(media.episodes[0], 'episodes[0]')
    : undefined;

const pad = (n: unknown): string => String(n).padStart(2, '0');

function titleOf(event: string, media: Media, instance: unknown): string {
  const eventName = capitalize(event);
  if (media.kind === 'health') return `${healthIcon(media.level ?? '')} ${instance} Health ${eventName}`;
  if (media.kind === 'application_update') return `🔄 ${instance} Updated`;
  let mediaTitle: unknown = media.title || 'Unknown';
  const episode = firstEpisode(media);
  if (episode !== undefined) {
    const seriesTitle = media.title !== 'Unknown Series' ? media.title : null;
    if (episode.seasonNumber && episode.episodeNumber) {
      const code = `S${pad(episode.seasonNumber)}E${pad(episode.episodeNumber)}`;
      if (episode.title && seriesTitle) mediaTitle = `${seriesTitle} ${code} - ${episode.title}`;
      else if (episode.title) mediaTitle = episode.title;
      else if (seriesTitle) mediaTitle = `${seriesTitle} ${code}`;
      else mediaTitle = code;
    } else if (episode.title) {
      mediaTitle = seriesTitle ? `${seriesTitle} - ${episode.title}` : episode.title;
    }
  }
  return `${eventName}: ${mediaTitle}${yearSuffix(media.year)}`;
}

const yearSuffix = (year: unknown): string => (year && Number(year) > 0 ? ` (${year})` : '');

function healthBody(media: Media, instance: unknown): string {
  let body = `${media.message}`;
  if (media.checkType) body += `\nCheck Type: ${media.checkType}`;
  if (media.level) body += `\nLevel: ${capitalize(media.level)}`;
  if (media.wikiUrl) body += `\nMore Info: ${media.wikiUrl}`;
  if (instance) body += `\nInstance: ${instance}`;
  return body;
}

function updateBody(media: Media, p: JsonObject): string {
  let body = `${p.instanceName} has been updated from ${media.previousVersion} to ${media.newVersion}`;
  if (p.message) body += `\n\n${p.message}`;
  if (p.applicationUrl) body += `\n\nApplication URL: ${p.applicationUrl}`;
  return body;
}

function mediaBody(event: string, media: Media, p: JsonObject): string {
  let body = '';
  if (media.title && media.title !== 'Unknown Series') body += `${media.title}${yearSuffix(media.year)}`;

  const episode = firstEpisode(media);
  if (episode !== undefined) {
    if (episode.seasonNumber && episode.episodeNumber) {
      body += `\nSeason: ${episode.seasonNumber}\nEpisode: ${episode.episodeNumber}`;
    }
    if (episode.title) body += `\nTitle: ${episode.title}`;
    const overview = optText(episode.overview);
    if (overview)
      body += `\nOverview: ${overview.length > 200 ? `${overview.substring(0, 200)}...` : overview}`;
    if (episode.airDate) body += `\nAir Date: ${episode.airDate}`;
  }

  const release = p.release ? obj(p.release) : undefined;
  const releaseQuality = release?.quality;
  if ((event === 'download' || event === 'imported') && releaseQuality) {
    body += `\nQuality: ${releaseQuality}`;
    if (release?.releaseGroup) body += `\nGroup: ${release.releaseGroup}`;
    if (release?.indexer) body += `\nIndexer: ${release.indexer}`;
    // The size is always written as text ("0 B" at least), so it always shows.
    body += `\nSize: ${fileSize(release?.size)}`;
  }
  if (event === 'imported' && media.folderPath) body += `\nPath: ${media.folderPath}`;

  if (media.episodeFile) {
    const file = obj(media.episodeFile);
    if (file?.quality && !releaseQuality) body += `\nQuality: ${file.quality}`;
    if (file?.releaseGroup && !release?.releaseGroup) body += `\nGroup: ${file.releaseGroup}`;
    if (file?.size) body += `\nSize: ${fileSize(file.size)}`;
    const languages = list(file?.languages);
    if (languages !== undefined && languages.length > 0) {
      body += `\nLanguages: ${needObjects(languages, 'episodeFile.languages')
        .map((language) => language.name)
        .join(', ')}`;
    }
  }

  const genres = join(media.genres);
  if (genres !== undefined) body += `\nGenres: ${genres}`;
  const tags = join(media.tags);
  if (tags !== undefined) body += `\nTags: ${tags}`;

  if (media.kind === 'indexer') {
    if (media.implementation) body += `\nImplementation: ${media.implementation}`;
    if (media.protocol) body += `\nProtocol: ${media.protocol}`;
    if (media.priority !== undefined) body += `\nPriority: ${media.priority}`;
  }
  if (media.kind === 'indexerStatus') {
    if (media.status) body += `\nStatus: ${media.status}`;
    if (media.lastCheck) body += `\nLast Check: ${media.lastCheck}`;
    if (media.lastError) body += `\nLast Error: ${media.lastError}`;
  }

  if (p.isUpgrade !== undefined) body += `\nUpgrade: ${p.isUpgrade ? 'Yes' : 'No'}`;
  const formats = p.customFormatInfo ? obj(p.customFormatInfo) : undefined;
  if (formats !== undefined && formats.customFormatScore !== undefined) {
    body += `\nCustom Format Score: ${formats.customFormatScore}`;
  }
  if (p.instanceName) body += `\nInstance: ${p.instanceName}`;
  if (!KNOWN_EVENTS.has(event.toLowerCase())) {
    body += `\nEvent Type: ${p.eventType}`;
    if (p.applicationUrl) body += `\nApplication: ${p.applicationUrl}`;
  }
  return body;
}

const COVER_NAMES: Readonly<Record<string, string>> = {
  banner: 'Banner',
  poster: 'Poster',
  fanart: 'Fanart',
};

/** The series banner (else its first image) as an image attachment, made absolute with applicationUrl. */
function seriesImage(p: JsonObject): ParsedAttachment[] {
  const series = obj(p.series);
  const images = list(series?.images);
  if (series === undefined || images === undefined || images.length === 0) return [];
  const all = needObjects(images, 'series.images');
  const image = all.find((candidate) => candidate.coverType === 'banner') ?? (all[0] as JsonObject);
  const source = image.remoteUrl || image.url;
  if (!source) return [];
  let url = text(source, 'series.images.url');
  if (url.startsWith('/') && p.applicationUrl)
    url = `${text(p.applicationUrl, 'applicationUrl').replace(/\/$/, '')}${url}`;
  // Herald stores only absolute http(s) links; a relative one with no applicationUrl is left out.
  const link = asHttpUrl(url);
  if (link === undefined) return [];
  const cover = String(image.coverType);
  const name = `${series.title} ${Object.hasOwn(COVER_NAMES, cover) ? COVER_NAMES[cover] : 'Image'}`;
  return [{ url: link, mediaType: 'IMAGE', name, saveOnServer: false }];
}

function unknownPayload(p: JsonObject): ParsedMessage {
  const instance = p.instanceName || 'Unknown Instance';
  let body = 'Unknown payload received from Servarr application.';
  if (p.eventType) body += `\nEvent Type: ${p.eventType}`;
  if (p.instanceName) body += `\nInstance: ${p.instanceName}`;
  if (p.message) body += `\nMessage: ${p.message}`;
  if (p.level) body += `\nLevel: ${p.level}`;
  if (p.type) body += `\nType: ${p.type}`;
  const raw = JSON.stringify(p, null, 2);
  body += `\n\nRaw Payload:\n${raw.length > 500 ? `${raw.substring(0, 500)}...` : raw}`;
  return {
    title: `❓ Unknown payload: ${instance}`,
    subtitle: `Unknown Event from ${instance}`,
    body,
    deliveryType: 'NORMAL',
  };
}

export const servarrParser: Parser = (payload) => {
  const p = asObject(payload);
  if (p === undefined || !p.eventType || !p.instanceName) return SKIPPED;
  if (
    !(p.movie || p.series || p.episodes || p.indexer || p.indexerStatus || p.message || p.previousVersion)
  ) {
    return SKIPPED;
  }
  if (p.episodeFiles) return SKIPPED;

  const raw = text(p.eventType, 'eventType').toLowerCase();
  const event = Object.hasOwn(EVENT_ALIASES, raw) ? (EVENT_ALIASES[raw] as string) : raw;
  const media = mediaOf(p);
  if (media === undefined) return finishZentikMessage(unknownPayload(p));

  let body: string;
  if (media.kind === 'health') body = healthBody(media, p.instanceName);
  else if (media.kind === 'application_update') body = updateBody(media, p);
  else body = mediaBody(event, media, p);
  const deliveryType: DeliveryType = event === 'failed' || event === 'health_issue' ? 'CRITICAL' : 'NORMAL';
  return finishZentikMessage({
    title: titleOf(event, media, p.instanceName),
    subtitle: SUBTITLES[media.kind],
    body,
    deliveryType,
    attachments: seriesImage(p),
  });
};
