import { registerEnumType } from 'type-graphql';

export enum Priority {
  CRITICAL = 'CRITICAL',
  HIGH = 'HIGH',
  NORMAL = 'NORMAL',
  LOW = 'LOW',
}

/** Queue order: CRITICAL first. Stored beside the priority so the queue index can sort on it. */
export const PRIORITY_RANK: Record<Priority, number> = { CRITICAL: 0, HIGH: 1, NORMAL: 2, LOW: 3 };

export enum ReportKind {
  INCIDENT = 'INCIDENT',
  NOTE = 'NOTE',
  INQUIRY = 'INQUIRY',
}

export enum Channel {
  BALAGHATI_APP = 'BALAGHATI_APP',
  WHATSAPP = 'WHATSAPP',
  CALL_940 = 'CALL_940',
  WEB_PORTAL = 'WEB_PORTAL',
  EMAIL = 'EMAIL',
  SOCIAL_MEDIA = 'SOCIAL_MEDIA',
}

export enum BeneficiaryType {
  CITIZEN = 'CITIZEN',
  RESIDENT = 'RESIDENT',
  CONTRACTOR = 'CONTRACTOR',
  INVESTOR = 'INVESTOR',
  STAFF = 'STAFF',
}

export enum ReportStatus {
  RECEIVED = 'RECEIVED',
  ASSIGNED = 'ASSIGNED',
  IN_PROGRESS = 'IN_PROGRESS',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
  REJECTED = 'REJECTED',
  DUPLICATE = 'DUPLICATE',
}

/** Statuses in which a report is still the center's open work (the dispatcher's queue). */
export const OPEN_STATUSES: readonly ReportStatus[] = [ReportStatus.RECEIVED, ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS];

registerEnumType(Priority, { name: 'Priority', description: 'How urgently a report needs a crew; CRITICAL is life safety, dispatched at once' });
registerEnumType(ReportKind, { name: 'ReportKind', description: 'INCIDENT (بلاغ), NOTE to improve a service (ملاحظة) or INQUIRY (استفسار)' });
registerEnumType(Channel, { name: 'Channel', description: 'How the report reached the 940 center' });
registerEnumType(BeneficiaryType, { name: 'BeneficiaryType', description: 'Who filed the report' });
registerEnumType(ReportStatus, {
  name: 'ReportStatus',
  description: 'RECEIVED → ASSIGNED → IN_PROGRESS → RESOLVED → CLOSED; also REJECTED, DUPLICATE, and reopen back to RECEIVED',
});
