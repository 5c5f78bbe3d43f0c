import { AssignmentsService } from '../assignments/assignments.service.js';
import { AuthService } from '../auth/auth.service.js';
import type { LoginLimits } from '../auth/login-throttle.js';
import { CrewsService } from '../crews/crews.service.js';
import { ReferenceService } from '../reference/reference.service.js';
import { ReportsService } from '../reports/reports.service.js';
import { BoundedReads, type ReadLimits } from './bounded-reads.js';

/** Read limits when the caller gives none: READ_STATEMENT_TIMEOUT_MS and SEARCH_CONCURRENCY's defaults. */
const DEFAULT_READ_LIMITS: ReadLimits = { statementTimeoutMs: 5_000, searchConcurrency: 3 };

/** The services of one app instance; stateless but for the auth cache and the search slots, shared by all requests. */
export function createServices(options: { tokenTtlHours: number; login?: LoginLimits; reads?: ReadLimits }) {
  const reference = new ReferenceService();
  const reads = new BoundedReads(options.reads ?? DEFAULT_READ_LIMITS);
  const reports = new ReportsService(reference, reads);
  return {
    reference,
    reads,
    reports,
    assignments: new AssignmentsService(reports),
    crews: new CrewsService(reference),
    auth: new AuthService(options.tokenTtlHours, options.login),
  };
}

export type Services = ReturnType<typeof createServices>;
