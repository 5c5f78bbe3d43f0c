import { registerEnumType } from 'type-graphql';

/** What an indicator's rows can be grouped by (at most three at once). */
export enum IndicatorDimension {
  CHANNEL = 'CHANNEL',
  CATEGORY = 'CATEGORY',
  DEPARTMENT = 'DEPARTMENT',
  MUNICIPALITY = 'MUNICIPALITY',
  BENEFICIARY_TYPE = 'BENEFICIARY_TYPE',
  PRIORITY = 'PRIORITY',
  CREW = 'CREW',
}

/** The length of one step of a series, in Asia/Riyadh days; a week starts on Sunday. */
export enum IndicatorBucket {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}

/** How an indicator's number reads. */
export enum IndicatorUnit {
  /** A whole number of things that happened. */
  COUNT = 'COUNT',
  /** Whole minutes (a duration's seconds ÷ 60, rounded down). */
  MINUTES = 'MINUTES',
  /** A share from 0 to 1. */
  SHARE = 'SHARE',
  /** A mean rating from 1 to 5. */
  SCORE = 'SCORE',
}

/** The families of the published indicator package. */
export enum IndicatorGroup {
  VOLUME = 'VOLUME',
  SPEED = 'SPEED',
  QUALITY = 'QUALITY',
  SATISFACTION = 'SATISFACTION',
  CREWS = 'CREWS',
}

registerEnumType(IndicatorDimension, {
  name: 'IndicatorDimension',
  description: 'What indicator rows are grouped by; a report counts under its current channel, category (and so department), municipality, beneficiary type and priority',
  valuesConfig: {
    CHANNEL: { description: 'How the report arrived' },
    CATEGORY: { description: "The report's category" },
    DEPARTMENT: { description: "The department responsible for the report's category" },
    MUNICIPALITY: { description: 'The municipality where it is' },
    BENEFICIARY_TYPE: { description: 'Who filed it (null when not given)' },
    PRIORITY: { description: "The report's priority" },
    CREW: { description: 'The crew of the job: only the Crews indicators have a crew, every other indicator is null in a row grouped by crew' },
  },
});
registerEnumType(IndicatorBucket, {
  name: 'IndicatorBucket',
  description: 'A series step in Asia/Riyadh time: a day, a week starting on Sunday, or a calendar month',
  valuesConfig: {
    DAY: { description: 'An Asia/Riyadh day, from midnight' },
    WEEK: { description: 'An Asia/Riyadh week, from Sunday midnight' },
    MONTH: { description: 'A calendar month in Asia/Riyadh, from the first at midnight' },
  },
});
registerEnumType(IndicatorUnit, {
  name: 'IndicatorUnit',
  description: 'How an indicator reads',
  valuesConfig: {
    COUNT: { description: 'A whole number of things that happened' },
    MINUTES: { description: "Whole minutes (a duration's seconds divided by 60, rounded down)" },
    SHARE: { description: 'A share from 0 to 1' },
    SCORE: { description: 'A mean rating from 1 to 5' },
  },
});
registerEnumType(IndicatorGroup, {
  name: 'IndicatorGroup',
  description: 'The families of the published indicator package: volume, speed, quality, satisfaction, crews',
  valuesConfig: {
    VOLUME: { description: 'How many reports came, were finished and remain' },
    SPEED: { description: 'How fast reports were assigned and resolved, and against their targets' },
    QUALITY: { description: 'Whether fixes held: reopens and first-time fixes' },
    SATISFACTION: { description: "The satisfaction center's calls, ratings and answered inquiries" },
    CREWS: { description: "The field crews' jobs: completed, time on site, declines" },
  },
});
