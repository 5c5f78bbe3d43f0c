import type { FollowUpSnapshotV1 } from '../outbox/outbox.map.js';
import type { FollowUp, FollowUpAttempt } from './followups.entity.js';
import type { FixedAnswer, FollowUpStatus } from './followups.enums.js';
import type { FollowUpAttemptView, FollowUpView } from './followups.types.js';

export function toFollowUpView(followUp: FollowUp): FollowUpView {
  return {
    id: followUp.id,
    reportId: followUp.report.id,
    status: followUp.status,
    beneficiaryType: followUp.beneficiaryType ?? null,
    dueAt: followUp.dueAt,
    nextAttemptAt: followUp.nextAttemptAt,
    attempts: followUp.attempts,
    claimedBy: followUp.claimedByName ?? null,
    claimedUntil: followUp.claimedUntil ?? null,
    satisfaction: followUp.satisfaction ?? null,
    fixed: followUp.fixed ?? null,
    comment: followUp.comment ?? null,
    closedReason: followUp.closedReason ?? null,
    createdAt: followUp.createdAt,
    completedAt: followUp.completedAt ?? null,
    completedBy: followUp.completedBy ?? null,
    version: followUp.version,
  };
}

export function toFollowUpSnapshot(followUp: FollowUp): FollowUpSnapshotV1 {
  const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);
  return {
    id: followUp.id,
    reportId: followUp.report.id,
    status: followUp.status,
    phone: followUp.phone,
    beneficiaryType: followUp.beneficiaryType ?? null,
    dueAt: followUp.dueAt.toISOString(),
    nextAttemptAt: followUp.nextAttemptAt.toISOString(),
    attempts: followUp.attempts,
    claimedByName: followUp.claimedByName ?? null,
    claimedUntil: iso(followUp.claimedUntil),
    satisfaction: followUp.satisfaction ?? null,
    fixed: followUp.fixed ?? null,
    comment: followUp.comment ?? null,
    closedReason: followUp.closedReason ?? null,
    createdAt: followUp.createdAt.toISOString(),
    completedAt: iso(followUp.completedAt),
    completedBy: followUp.completedBy ?? null,
    version: followUp.version,
  };
}

/** A stored snapshot as today's view (what a FOLLOWUP_* event carries). */
export function fromFollowUpSnapshot(snapshot: FollowUpSnapshotV1): FollowUpView {
  const date = (text: string | null) => (text ? new Date(text) : null);
  return {
    id: snapshot.id,
    reportId: snapshot.reportId,
    status: snapshot.status as FollowUpStatus,
    beneficiaryType: snapshot.beneficiaryType,
    dueAt: new Date(snapshot.dueAt),
    nextAttemptAt: new Date(snapshot.nextAttemptAt),
    attempts: snapshot.attempts,
    claimedBy: snapshot.claimedByName,
    claimedUntil: date(snapshot.claimedUntil),
    satisfaction: snapshot.satisfaction,
    fixed: snapshot.fixed as FixedAnswer | null,
    comment: snapshot.comment,
    closedReason: snapshot.closedReason,
    createdAt: new Date(snapshot.createdAt),
    completedAt: date(snapshot.completedAt),
    completedBy: snapshot.completedBy,
    version: snapshot.version,
  };
}

export function toFollowUpAttemptView(attempt: FollowUpAttempt): FollowUpAttemptView {
  return { at: attempt.at, agent: attempt.agent, outcome: attempt.outcome, note: attempt.note ?? null, callBackAt: attempt.callBackAt ?? null };
}
