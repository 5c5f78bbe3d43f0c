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

registerEnumType(Priority, {
  name: 'Priority',
  description: 'How urgently a report needs a crew; CRITICAL is life safety, dispatched at once',
  valuesConfig: {
    CRITICAL: { description: 'Life safety (a billboard about to fall, an open manhole): first in the queue, alerted on the console' },
    HIGH: { description: 'Serious harm or disruption if left: dispatched before normal work' },
    NORMAL: { description: 'Routine municipal work' },
    LOW: { description: 'Cosmetic or minor; handled when crews are free' },
  },
});
registerEnumType(ReportKind, {
  name: 'ReportKind',
  description: 'INCIDENT (بلاغ), NOTE to improve a service (ملاحظة) or INQUIRY (استفسار)',
  valuesConfig: {
    INCIDENT: { description: 'A problem to fix in the field (بلاغ): dispatched to a crew' },
    NOTE: { description: 'A suggestion to improve a service (ملاحظة): answered and closed from the queue' },
    INQUIRY: { description: 'A question (استفسار): answered and closed from the queue' },
  },
});
registerEnumType(Channel, {
  name: 'Channel',
  description: 'How the report reached the 940 center',
  valuesConfig: {
    BALAGHATI_APP: { description: 'The Balaghati mobile app (photo and voice)' },
    WHATSAPP: { description: "The center's WhatsApp number, through its gateway" },
    CALL_940: { description: 'A 940 phone call, filed by a call-taker' },
    WEB_PORTAL: { description: "The municipality's web portal" },
    EMAIL: { description: 'An email to the center' },
    SOCIAL_MEDIA: { description: "A message on the municipality's social media accounts" },
  },
});
registerEnumType(BeneficiaryType, {
  name: 'BeneficiaryType',
  description: 'Who filed the report',
  valuesConfig: {
    CITIZEN: { description: 'A Saudi citizen' },
    RESIDENT: { description: 'A resident of the province who is not a citizen' },
    CONTRACTOR: { description: 'A contractor working for or with the municipality' },
    INVESTOR: { description: 'An investor completing procedures with the municipality' },
    STAFF: { description: 'Municipality staff reporting what they saw' },
  },
});
registerEnumType(ReportStatus, {
  name: 'ReportStatus',
  description: 'RECEIVED → ASSIGNED → IN_PROGRESS → RESOLVED → CLOSED; also REJECTED, DUPLICATE, and reopen back to RECEIVED',
  valuesConfig: {
    RECEIVED: { description: 'In the queue, waiting for a crew (also after a reopen, a decline or a cancellation)' },
    ASSIGNED: { description: 'A crew has been given it and has not yet started' },
    IN_PROGRESS: { description: 'The crew is on its way, on site or at work' },
    RESOLVED: { description: 'The crew completed the work; waiting to be closed' },
    CLOSED: { description: 'Done; reopen it if the problem is back' },
    REJECTED: { description: "Not the municipality's (referred elsewhere) or invalid, with a reason" },
    DUPLICATE: { description: 'Merged into the report it repeats' },
  },
});
