import { AssignmentsService } from '../assignments/assignments.service.js';
import { AuthService } from '../auth/auth.service.js';
import type { LoginLimits } from '../auth/login-throttle.js';
import { CrewsService } from '../crews/crews.service.js';
import { ReferenceService } from '../reference/reference.service.js';
import { ReportsService } from '../reports/reports.service.js';

/** The services of one app instance; stateless but for the auth cache, shared by all requests. */
export function createServices(options: { tokenTtlHours: number; login?: LoginLimits }) {
  const reference = new ReferenceService();
  const reports = new ReportsService(reference);
  return {
    reference,
    reports,
    assignments: new AssignmentsService(reports),
    crews: new CrewsService(reference),
    auth: new AuthService(options.tokenTtlHours, options.login),
  };
}

export type Services = ReturnType<typeof createServices>;
