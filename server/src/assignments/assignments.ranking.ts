import { distanceKm } from '../common/geo.js';
import { AssignmentStatus } from './assignments.enums.js';
import { SuggestionReasonCode } from './assignments.suggestions.enums.js';

/**
 * The speed a crew is assumed to cover the straight line to a report at, for `etaMinutes`. A planning constant,
 * not a measurement: urban limits in the province's cities are 50–80 km/h, but signals, U-turns and traffic halve
 * the average, and the road is longer than the straight line (about 1.3× in a street grid), so 30 km/h over the
 * straight line is about 40 km/h on the road. It is an estimate to compare crews by, never a promise to a reporter.
 */
export const URBAN_SPEED_KMH = 30;

/** A crew's shared position older than this counts as unknown: a crew moves about 7 km in 15 minutes at URBAN_SPEED_KMH. */
export const LOCATION_FRESH_MINUTES = 15;

/**
 * How much each fact about a crew weighs in its score. Being on duty outweighs all the rest together (an off-duty
 * crew cannot be assigned, so it only ever follows the on-duty ones); then the skill for the category, the
 * responsible department, being free, nearness (full at the report, none from NEAR_KM on or when the location is
 * unknown), and a small penalty per job already given today, so work spreads among equals.
 */
export const SUGGESTION_WEIGHTS = {
  onDuty: 1000,
  skill: 40,
  department: 30,
  free: 25,
  near: 20,
  perJobToday: -2,
  jobsTodayCounted: 5,
} as const;

/** Nearness earns nothing from this distance on (km): across a city, any crew is "far". */
export const NEAR_KM = 20;

/** The report a crew is sought for, with the names the reasons use. */
export interface SuggestionTarget {
  lat: number;
  lng: number;
  categoryCode: string;
  categoryNameAr: string;
  categoryNameEn: string;
  departmentCode: string;
  departmentNameAr: string;
  departmentNameEn: string;
}

/** What the ranking knows of one crew. */
export interface CrewCandidate {
  id: string;
  name: string;
  onDuty: boolean;
  skills: readonly string[];
  departmentCode: string;
  departmentNameAr: string;
  departmentNameEn: string;
  lat: number | null;
  lng: number | null;
  locationAt: Date | null;
  /** Its leading active assignment (`leadingAssignment`): what it is doing now; null when free. */
  current: { reference: string; status: AssignmentStatus } | null;
  /** Jobs given to it or finished by it today (Asia/Riyadh), declined and cancelled ones not counted. */
  jobsToday: number;
}

/** Why a crew stands where it does, in Arabic and English (numbers and references isolated for bidi). */
export interface SuggestionReason {
  code: SuggestionReasonCode;
  textAr: string;
  textEn: string;
}

/** One crew, scored. */
export interface RankedCrew<C extends CrewCandidate = CrewCandidate> {
  candidate: C;
  score: number;
  distanceMeters: number | null;
  locationAgeMinutes: number | null;
  locationStale: boolean;
  etaMinutes: number | null;
  busy: boolean;
  reasons: SuggestionReason[];
}

/**
 * Ranks crews for a report, best first: each crew's score adds up SUGGESTION_WEIGHTS for the facts that hold (on
 * duty, skill, department, free, near, today's workload); ties go to the nearer crew (known locations before
 * unknown), then by name and id, so the order is stable. A location older than LOCATION_FRESH_MINUTES at `now` is
 * unknown: no distance, no arrival estimate, no nearness. Every crew gets its reasons in both languages, in the
 * order a dispatcher reads them: duty, what it is doing, where it is, skill, department, workload.
 */
export function rankCrews<C extends CrewCandidate>(target: SuggestionTarget, candidates: readonly C[], now: Date): RankedCrew<C>[] {
  return candidates.map((candidate) => scoreCrew(target, candidate, now)).sort(compareRanked);
}

function scoreCrew<C extends CrewCandidate>(target: SuggestionTarget, crew: C, now: Date): RankedCrew<C> {
  const w = SUGGESTION_WEIGHTS;
  const reasons: SuggestionReason[] = [];
  let score = 0;

  if (crew.onDuty) score += w.onDuty;
  else reasons.push(reason(SuggestionReasonCode.OFF_DUTY, 'خارج المناوبة، لا يمكن إسناد البلاغ إليه', 'Off duty: cannot be assigned'));

  const busy = !!crew.current;
  if (crew.current) reasons.push(busyReason(crew.current.reference, crew.current.status));
  else if (crew.onDuty) {
    score += w.free;
    reasons.push(reason(SuggestionReasonCode.FREE, 'متاح الآن', 'Free now'));
  }

  const ageMinutes = crew.locationAt ? Math.max(0, Math.floor((now.getTime() - crew.locationAt.getTime()) / 60_000)) : null;
  const fresh = crew.lat != null && crew.lng != null && crew.locationAt != null && now.getTime() - crew.locationAt.getTime() <= LOCATION_FRESH_MINUTES * 60_000;
  let distanceMeters: number | null = null;
  let etaMinutes: number | null = null;
  if (fresh) {
    const km = distanceKm(target.lat, target.lng, crew.lat!, crew.lng!);
    distanceMeters = Math.round(km * 1000);
    etaMinutes = Math.max(1, Math.round((km / URBAN_SPEED_KMH) * 60));
    score += w.near * Math.max(0, 1 - km / NEAR_KM);
    const kmText = (Math.round(km * 10) / 10).toFixed(1);
    reasons.push(reason(SuggestionReasonCode.DISTANCE, `على بُعد ${isolate(kmText)} كم، نحو ${minutesAr(etaMinutes)}`, `${kmText} km away, about ${etaMinutes} min`));
  } else if (ageMinutes === null) {
    reasons.push(reason(SuggestionReasonCode.LOCATION_UNKNOWN, 'الموقع غير معروف: لم يشارك موقعه', 'Location unknown: never shared'));
  } else {
    reasons.push(reason(SuggestionReasonCode.LOCATION_UNKNOWN, `الموقع غير معروف: آخر تحديث قبل ${minutesAr(ageMinutes)}`, `Location unknown: last shared ${ageMinutes} min ago`));
  }

  if (crew.skills.includes(target.categoryCode)) {
    score += w.skill;
    reasons.push(reason(SuggestionReasonCode.SKILL, `مجهّز لـ«${target.categoryNameAr}»`, `Equipped for ${target.categoryNameEn}`));
  } else {
    reasons.push(reason(SuggestionReasonCode.NO_SKILL, `غير مجهّز لـ«${target.categoryNameAr}»`, `Not equipped for ${target.categoryNameEn}`));
  }

  if (crew.departmentCode === target.departmentCode) {
    score += w.department;
    reasons.push(reason(SuggestionReasonCode.DEPARTMENT, `من الإدارة المسؤولة: ${target.departmentNameAr}`, `From the responsible department: ${target.departmentNameEn}`));
  } else {
    reasons.push(reason(SuggestionReasonCode.OTHER_DEPARTMENT, `من إدارة أخرى: ${crew.departmentNameAr}`, `From another department: ${crew.departmentNameEn}`));
  }

  score += w.perJobToday * Math.min(crew.jobsToday, w.jobsTodayCounted);
  reasons.push(reason(SuggestionReasonCode.JOBS_TODAY, jobsTodayAr(crew.jobsToday), jobsTodayEn(crew.jobsToday)));

  return { candidate: crew, score: Math.round(score * 100) / 100, distanceMeters, locationAgeMinutes: ageMinutes, locationStale: !fresh, etaMinutes, busy, reasons };
}

function compareRanked(a: RankedCrew, b: RankedCrew): number {
  if (a.score !== b.score) return b.score - a.score;
  const da = a.distanceMeters ?? Infinity;
  const db = b.distanceMeters ?? Infinity;
  if (da !== db) return da - db;
  if (a.candidate.name !== b.candidate.name) return a.candidate.name < b.candidate.name ? -1 : 1;
  return a.candidate.id < b.candidate.id ? -1 : a.candidate.id > b.candidate.id ? 1 : 0;
}

function reason(code: SuggestionReasonCode, textAr: string, textEn: string): SuggestionReason {
  return { code, textAr, textEn };
}

/** First-strong isolation (U+2068 … U+2069), plain text's `<bdi>`: a reference or number keeps its order inside Arabic. */
function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}

/** What a busy crew is doing, by its current job's status, around that job's reference. */
const BUSY_TEXT: Record<string, (ref: string) => [ar: string, en: string]> = {
  [AssignmentStatus.PENDING]: (ref) => [`مشغول: لم يرد بعد على ${isolate(ref)}`, `Busy: has not answered ${ref} yet`],
  [AssignmentStatus.ACCEPTED]: (ref) => [`مشغول: قبِل ${isolate(ref)} ولم يبدأ`, `Busy: accepted ${ref}, not started`],
  [AssignmentStatus.EN_ROUTE]: (ref) => [`مشغول: في الطريق إلى ${isolate(ref)}`, `Busy: on its way to ${ref}`],
  [AssignmentStatus.ON_SITE]: (ref) => [`مشغول: في موقع ${isolate(ref)}`, `Busy: on site at ${ref}`],
};

function busyReason(reference: string, status: AssignmentStatus): SuggestionReason {
  const [ar, en] = (BUSY_TEXT[status] ?? BUSY_TEXT[AssignmentStatus.PENDING])(reference);
  return reason(SuggestionReasonCode.BUSY, ar, en);
}

const AR_PLURAL = new Intl.PluralRules('ar');

/** "n minutes" in Arabic, by Arabic plural forms: دقيقة واحدة، دقيقتان، 3 دقائق، 11 دقيقة. */
function minutesAr(n: number): string {
  switch (AR_PLURAL.select(n)) {
    case 'zero':
      return 'أقل من دقيقة';
    case 'one':
      return 'دقيقة واحدة';
    case 'two':
      return 'دقيقتين';
    case 'few':
      return `${isolate(String(n))} دقائق`;
    default:
      return `${isolate(String(n))} دقيقة`;
  }
}

function jobsTodayAr(n: number): string {
  switch (AR_PLURAL.select(n)) {
    case 'zero':
      return 'لا مهام له اليوم';
    case 'one':
      return 'مهمة واحدة اليوم';
    case 'two':
      return 'مهمتان اليوم';
    case 'few':
      return `${isolate(String(n))} مهام اليوم`;
    default:
      return `${isolate(String(n))} مهمة اليوم`;
  }
}

function jobsTodayEn(n: number): string {
  if (n === 0) return 'No jobs today';
  return n === 1 ? '1 job today' : `${n} jobs today`;
}
