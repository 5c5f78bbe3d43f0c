import type { EntityManager } from '@mikro-orm/postgresql';
import type { Loaders, Services } from './access/access.context.js';
import { createAssignmentLoaders } from './assignments/assignments.loaders.js';
import { AssignmentsService } from './assignments/assignments.service.js';
import { CrewSuggestionsService } from './assignments/assignments.suggestions.js';
import { AuthService } from './auth/auth.service.js';
import type { LoginLimits } from './auth/login-throttle.js';
import { BoundedReads, type ReadLimits } from './common/bounded-reads.js';
import { loadConfig, type DuplicatesConfig, type FollowUpConfig, type MediaConfig, type PresenceConfig } from './common/config.js';
import { createCrewLoaders } from './crews/crews.loaders.js';
import { CrewsService } from './crews/crews.service.js';
import { createFollowUpLoaders } from './followups/followups.loaders.js';
import { FollowUpsService, type Clock } from './followups/followups.service.js';
import { createMediaLoaders } from './media/media.loaders.js';
import { MediaService } from './media/media.service.js';
import { createMediaStore, type MediaStore } from './media/media.storage.js';
import { createPresenceLoaders } from './presence/presence.loaders.js';
import { PresenceService } from './presence/presence.service.js';
import { QueueService } from './queue/queue.service.js';
import { createReferenceLoaders } from './reference/reference.loaders.js';
import { ReferenceService } from './reference/reference.service.js';
import { createReportLoaders } from './reports/reports.loaders.js';
import { ReportsService } from './reports/reports.service.js';
import { createDuplicateLoaders } from './reports/duplicates.loaders.js';
import { DuplicatesService } from './reports/duplicates.service.js';
import { IndicatorsService } from './indicators/indicators.service.js';

/**
 * The composition root: the one module that sees every feature. It builds the services (wiring each to
 * what it needs: the assignments give crews their leading work, the queue its bounded reads) and each
 * request's loaders; features declare their entries in `Services` and `Loaders` and import none of this.
 */

/** Read limits when the caller gives none: READ_STATEMENT_TIMEOUT_MS and SEARCH_CONCURRENCY's defaults. */
const DEFAULT_READ_LIMITS: ReadLimits = { statementTimeoutMs: 5_000, searchConcurrency: 3 };

/** The services of one app instance; stateless but for the auth cache and the search slots, shared by all requests. */
export function createServices(options: {
  tokenTtlHours: number;
  login?: LoginLimits;
  reads?: ReadLimits;
  media?: MediaConfig;
  mediaStore?: MediaStore;
  followUp?: FollowUpConfig;
  /** The default duplicate rule (DUPLICATE_RADIUS_M, DUPLICATE_WINDOW_HOURS). */
  duplicates?: DuplicatesConfig;
  /** The clock of the satisfaction center's rules (calling hours, retries, claims) and of a crew's day (its jobs finished today); tests move it. */
  clock?: Clock;
  /** Who has which report open (PRESENCE_TTL_MS, PRESENCE_MAX_REPORTS); the app starts it with the database. */
  presence?: PresenceConfig;
}): Services {
  const reference = new ReferenceService();
  const mediaConfig = options.media ?? loadConfig({}).media;
  const media = new MediaService(options.mediaStore ?? createMediaStore(mediaConfig), mediaConfig);
  const reports = new ReportsService(reference, media);
  const followUps = new FollowUpsService(reports, options.followUp ?? loadConfig({}).followUp, options.clock);
  const assignments = new AssignmentsService(reports, media, followUps, options.clock);
  return {
    reference,
    reports,
    queue: new QueueService(new BoundedReads(options.reads ?? DEFAULT_READ_LIMITS)),
    assignments,
    crews: new CrewsService(reference, assignments),
    suggestions: new CrewSuggestionsService(reference, reports, options.clock),
    auth: new AuthService(options.tokenTtlHours, options.login),
    media,
    followUps,
    presence: new PresenceService({ ...(options.presence ?? loadConfig({}).presence), clock: options.clock }),
    duplicates: new DuplicatesService(reports, options.duplicates ?? loadConfig({}).duplicates),
    indicators: new IndicatorsService(reference, options.clock),
  };
}

/** Batch loaders for one request (or one event of a subscription), over its EntityManager. */
export function createLoaders(em: EntityManager, services: Services): Loaders {
  return {
    ...createReferenceLoaders(em, services.reference),
    ...createCrewLoaders(em),
    ...createReportLoaders(em),
    ...createAssignmentLoaders(em),
    ...createMediaLoaders(em),
    ...createFollowUpLoaders(em),
    ...createPresenceLoaders(services.presence),
    ...createDuplicateLoaders(em, services.duplicates),
  };
}

export type { Loaders, Services };
