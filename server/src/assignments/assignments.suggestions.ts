import type { EntityManager } from '@mikro-orm/postgresql';
import { inSql } from '../access/access.policy.js';
import type { Viewer } from '../access/access.viewer.js';
import { notFound } from '../common/errors.js';
import * as check from '../common/validate.js';
import { Crew } from '../crews/crews.entity.js';
import { toCrewView } from '../crews/crews.mapper.js';
import { localDayStart } from '../followups/followups.schedule.js';
import type { ReferenceService } from '../reference/reference.service.js';
import { Report } from '../reports/reports.entity.js';
import type { ReportsService } from '../reports/reports.service.js';
import { Assignment } from './assignments.entity.js';
import { AssignmentStatus } from './assignments.enums.js';
import { leadingAssignments } from './assignments.leading.js';
import { toAssignmentView } from './assignments.mapper.js';
import { rankCrews, type CrewCandidate } from './assignments.ranking.js';
import type { CrewSuggestionView } from './assignments.suggestions.types.js';

/** "Today" for a crew's workload is the calendar day in the province. */
const TIME_ZONE = 'Asia/Riyadh';
/** Assignments that never became work for the crew, so they do not count in its day. */
const NOT_WORK: readonly AssignmentStatus[] = [AssignmentStatus.DECLINED, AssignmentStatus.CANCELLED];

/**
 * Which crew to send: every crew ranked for one report by `rankCrews` (skill, department, duty, free or busy,
 * distance from a fresh location, today's workload), with what each is doing now. "Fresh" and "today" are read on
 * the injected clock, so tests move time instead of waiting.
 */
export class CrewSuggestionsService {
  constructor(
    private readonly reference: ReferenceService,
    private readonly reports: ReportsService,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The best `first` crews for the report, best first; NOT_FOUND when the viewer cannot read the report. */
  async suggest(em: EntityManager, viewer: Viewer, reportId: string, first: number): Promise<CrewSuggestionView[]> {
    const id = check.id('reportId', reportId);
    const size = check.pageSize('first', first);
    const report = await em.findOne(Report, { id });
    if (!report || !(await this.reports.canRead(em, viewer, report))) throw notFound('Report', id, 'reportId');
    const now = this.clock();
    const reference = await this.reference.cached(em);
    const category = reference.category.get(report.category.code);
    if (!category) throw new Error(`category ${report.category.code} missing`);
    const department = reference.department.get(category.department.code);
    if (!department) throw new Error(`department ${category.department.code} missing`);

    const crews = await em.find(Crew, {}, { orderBy: { nameAr: 'asc', id: 'asc' } });
    const crewIds = crews.map((crew) => crew.id);
    const leading = await leadingAssignments(em, crewIds);
    const jobsToday = await this.jobsToday(em, crewIds, now);
    const currentIds = [...leading.values()].map((lead) => lead.id);
    const current = new Map((currentIds.length ? await em.find(Assignment, { id: { $in: currentIds } }, { populate: ['report'] }) : []).map((row) => [row.id, row]));

    const candidates = crews.map((crew) => {
      const lead = leading.get(crew.id);
      const job = lead ? current.get(lead.id) : undefined;
      const own = reference.department.get(crew.department.code);
      return {
        id: crew.id,
        name: crew.nameAr,
        onDuty: crew.onDuty,
        skills: crew.skills,
        departmentCode: crew.department.code,
        departmentNameAr: own?.nameAr ?? crew.department.code,
        departmentNameEn: own?.nameEn ?? crew.department.code,
        lat: crew.lat ?? null,
        lng: crew.lng ?? null,
        locationAt: crew.locationAt ?? null,
        current: job ? { reference: job.report.reference, status: job.status } : null,
        jobsToday: jobsToday.get(crew.id) ?? 0,
        crew,
        job,
      } satisfies CrewCandidate & { crew: Crew; job: Assignment | undefined };
    });
    const target = {
      lat: report.lat,
      lng: report.lng,
      categoryCode: category.code,
      categoryNameAr: category.nameAr,
      categoryNameEn: category.nameEn,
      departmentCode: department.code,
      departmentNameAr: department.nameAr,
      departmentNameEn: department.nameEn,
    };
    return rankCrews(target, candidates, now)
      .slice(0, size)
      .map(({ candidate, ...ranked }) => ({
        ...ranked,
        crew: toCrewView(candidate.crew, leading.get(candidate.id)),
        currentAssignment: candidate.job ? toAssignmentView(candidate.job) : null,
        jobsToday: candidate.jobsToday,
      }));
  }

  /** Per crew, the jobs given to it today or finished by it today (in the province's day), declined and cancelled ones not counted. */
  private async jobsToday(em: EntityManager, crewIds: readonly string[], now: Date): Promise<Map<string, number>> {
    if (crewIds.length === 0) return new Map();
    const dayStart = localDayStart(now, TIME_ZONE);
    const rows = await em.execute<{ crewId: string; n: number }[]>(
      `select a.crew_id as "crewId", count(*)::int as n from assignment a
       where a.crew_id in (?) and not ${inSql('a.status', NOT_WORK)}
         and (a.created_at >= ? or (a.status = '${AssignmentStatus.COMPLETED}' and a.updated_at >= ?))
       group by a.crew_id`,
      [[...crewIds], dayStart, dayStart],
    );
    return new Map(rows.map((row) => [row.crewId, Number(row.n)]));
  }
}

declare module '../access/access.context.js' {
  interface Services {
    suggestions: CrewSuggestionsService;
  }
}
