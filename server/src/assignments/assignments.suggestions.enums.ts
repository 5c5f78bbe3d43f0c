import { registerEnumType } from 'type-graphql';

/** Why a crew stands where it does among the suggestions; clients may switch on it, the texts say it in both languages. */
export enum SuggestionReasonCode {
  OFF_DUTY = 'OFF_DUTY',
  FREE = 'FREE',
  BUSY = 'BUSY',
  DISTANCE = 'DISTANCE',
  LOCATION_UNKNOWN = 'LOCATION_UNKNOWN',
  SKILL = 'SKILL',
  NO_SKILL = 'NO_SKILL',
  DEPARTMENT = 'DEPARTMENT',
  OTHER_DEPARTMENT = 'OTHER_DEPARTMENT',
  JOBS_TODAY = 'JOBS_TODAY',
}

registerEnumType(SuggestionReasonCode, {
  name: 'SuggestionReasonCode',
  description: 'One fact that placed a crew among the suggestions',
  valuesConfig: {
    OFF_DUTY: { description: 'Not on shift: cannot be assigned, listed after every crew on duty' },
    FREE: { description: 'On duty with no active assignment' },
    BUSY: { description: 'Has an active assignment (currentAssignment says which)' },
    DISTANCE: { description: 'Straight-line distance from its last location and the estimated arrival' },
    LOCATION_UNKNOWN: { description: 'No location, or one older than 15 minutes: no distance is given' },
    SKILL: { description: "Equipped for the report's category" },
    NO_SKILL: { description: "Not equipped for the report's category" },
    DEPARTMENT: { description: "Belongs to the category's responsible department" },
    OTHER_DEPARTMENT: { description: 'Belongs to another department' },
    JOBS_TODAY: { description: 'How many jobs it was given or finished today (Asia/Riyadh)' },
  },
});
