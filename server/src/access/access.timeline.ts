import type { AssignmentView } from '../assignments/assignments.types.js';
import { Role } from './access.roles.js';
import { principalOf, type Viewer } from './access.viewer.js';
import type { TimelineEntry } from '../reports/reports.entity.js';
import type { ReportStatus } from '../reports/reports.enums.js';
import { TimelineParamsView, type ReportView, type TimelineEntryView } from '../reports/reports.types.js';
import { asView } from '../common/view-type.js';
import { crewHolds, seesFollowUps } from './access.policy.js';

/** The action an intake key sees for every line: it learns that the status changed, not why or through whom. */
export const PUBLIC_TIMELINE_ACTION = 'STATUS_CHANGED';

/** The codes of a line without who or why: what an integrator sees, and a crew of another crew's work. */
function timelineCodes(entry: TimelineEntry): TimelineEntryView {
  return {
    at: entry.at,
    actor: null,
    action: entry.action,
    fromStatus: (entry.fromStatus as ReportStatus | null) ?? null,
    toStatus: (entry.toStatus as ReportStatus | null) ?? null,
    note: null,
    params: null,
  };
}

/** A line whole: its codes with who and why, and its parameters (the crew, the other report, the media counted). */
function timelineWhole(entry: TimelineEntry): TimelineEntryView {
  return { ...timelineCodes(entry), actor: entry.actor, note: entry.note ?? null, params: entry.params ? asView(TimelineParamsView, entry.params) : null };
}

/**
 * The one audience rule of the timeline, for the `Report.timeline` field wherever the report comes from
 * (queries, mutation results, subscription events):
 * - staff see every line whole;
 * - an intake key, for a report it filed, the public status history: the lines that changed the status,
 *   with their times and statuses only (no usernames, notes or crew names, and STATUS_CHANGED as action);
 * - an integrator codes, statuses and times, never the actor, the note or the parameters: notes are free text that may
 *   carry a reporter's personal data, as the reporter's name and phone, which integrators see masked;
 * - a crew, for a report it holds (`crewHolds`), the report's own lines and its own assignments'
 *   lines whole, and other crews' lines as codes, so it learns neither their names nor their notes.
 * Everyone else, and a crew that declined or whose assignment was cancelled, sees no line.
 * `assignments` are the report's assignments; only a crew's view reads them.
 */
export function visibleTimeline(viewer: Viewer, report: Pick<ReportView, 'submittedBy'>, entries: readonly TimelineEntry[], assignments: readonly AssignmentView[]): TimelineEntryView[] {
  if (seesFollowUps(viewer)) return entries.map(timelineWhole);
  if (viewer.role === Role.INTEGRATOR) return entries.map(timelineCodes);
  if (viewer.role === Role.INTAKE) {
    if (report.submittedBy !== principalOf(viewer)) return [];
    return entries.filter((entry) => entry.toStatus).map((entry) => ({ ...timelineCodes(entry), action: PUBLIC_TIMELINE_ACTION }));
  }
  if (viewer.role !== Role.CREW || !crewHolds(viewer.crewId, assignments)) return [];
  const own = new Set(assignments.filter((assignment) => assignment.crewId === viewer.crewId).map((assignment) => assignment.id));
  return entries.map((entry) => (!entry.assignmentId || own.has(entry.assignmentId) ? timelineWhole(entry) : timelineCodes(entry)));
}

/** Whether `visibleTimeline` reads the report's assignments for this viewer (only a crew's lines depend on them), so others skip loading them. */
export function timelineReadsAssignments(viewer: Viewer): boolean {
  return viewer.role === Role.CREW;
}
