import { registerEnumType } from 'type-graphql';

/** Where a follow-up call stands. */
export enum FollowUpStatus {
  PENDING = 'PENDING',
  REACHED = 'REACHED',
  UNREACHABLE = 'UNREACHABLE',
}

/** What happened on one call. */
export enum CallOutcome {
  NO_ANSWER = 'NO_ANSWER',
  BUSY = 'BUSY',
  WRONG_NUMBER = 'WRONG_NUMBER',
  CALL_BACK_LATER = 'CALL_BACK_LATER',
  REACHED = 'REACHED',
}

/** The reporter's answer to "was it fixed?". */
export enum FixedAnswer {
  YES = 'YES',
  NO = 'NO',
  PARTLY = 'PARTLY',
}

/** Outcomes that count toward FOLLOWUP_MAX_ATTEMPTS: the reporter did not answer. */
export const UNANSWERED: readonly CallOutcome[] = [CallOutcome.NO_ANSWER, CallOutcome.BUSY];

registerEnumType(FollowUpStatus, {
  name: 'FollowUpStatus',
  description: 'Where a follow-up call stands',
  valuesConfig: {
    PENDING: { description: 'To be called (due now or later); an agent may hold it' },
    REACHED: { description: 'The reporter answered and rated the service' },
    UNREACHABLE: { description: 'No answer after the last attempt, or a wrong number; the report was closed' },
  },
});
registerEnumType(CallOutcome, {
  name: 'CallOutcome',
  description: 'What happened on one follow-up call',
  valuesConfig: {
    NO_ANSWER: { description: 'Nobody answered' },
    BUSY: { description: 'The line was busy' },
    WRONG_NUMBER: { description: 'The number is not the reporter’s: the follow-up ends UNREACHABLE' },
    CALL_BACK_LATER: { description: 'The reporter asked to be called at `callBackAt`' },
    REACHED: { description: 'The reporter answered: satisfaction and fixed are required' },
  },
});
registerEnumType(FixedAnswer, {
  name: 'FixedAnswer',
  description: 'Whether the reporter says the problem was fixed',
  valuesConfig: {
    YES: { description: 'Fixed: the report is closed' },
    NO: { description: 'Not fixed: the report is reopened' },
    PARTLY: { description: 'Partly fixed: the report is reopened' },
  },
});
