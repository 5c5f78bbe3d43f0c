import type { CombinedError } from '@urql/core';

/** The error codes the API puts in `extensions.code`. */
export type ApiErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED' | 'CURSOR_EXPIRED' | 'NETWORK' | 'INTERNAL_SERVER_ERROR';

/** One failed operation, reduced to what the UI shows: a code, the server's message, the input field at fault. */
export interface ApiFailure {
  code: ApiErrorCode;
  message: string;
  field?: string;
  /** The error's other extensions, e.g. a CONFLICT's `currentReference` (the job a crew must finish first). */
  details?: Readonly<Record<string, unknown>>;
  /** Set when the console wrote `message` itself, in the viewer's language (not the server's English). */
  localized?: boolean;
}

/** Reads the first GraphQL error of a failed urql operation (or marks a network failure). */
export function toFailure(error: CombinedError): ApiFailure {
  const first = error.graphQLErrors[0];
  if (!first) return { code: 'NETWORK', message: error.networkError?.message ?? error.message };
  const code = String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR') as ApiErrorCode;
  const field = first.extensions?.field;
  const details = Object.fromEntries(Object.entries(first.extensions ?? {}).filter(([key]) => key !== 'code' && key !== 'field'));
  return { code, message: first.message, ...(typeof field === 'string' ? { field } : {}), ...(Object.keys(details).length ? { details } : {}) };
}

/** Thrown by `run` so callers can `catch` a typed failure. */
export class ApiError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
  }
}

/**
 * The console's label for each input field the server may name in a BAD_USER_INPUT (`extensions.field`, a path
 * like `input.location.lat` or `reporter.phone`), under `fields.*` in the messages: a person reads "الجوال",
 * never the field's internal name. The path is read without its leading `input.`.
 */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  description: 'description',
  location: 'location',
  'location.lat': 'location',
  'location.lng': 'location',
  'location.address': 'address',
  'location.municipalityCode': 'municipality',
  categoryCode: 'category',
  kind: 'kind',
  channel: 'channel',
  reporter: 'caller',
  'reporter.name': 'name',
  'reporter.phone': 'phone',
  'reporter.beneficiaryType': 'beneficiary',
  mediaIds: 'media',
  note: 'note',
  reason: 'reason',
  referredTo: 'referredTo',
  duplicateOf: 'duplicateOf',
  reference: 'duplicateOf',
  answer: 'answer',
  priority: 'priority',
  crewId: 'crew',
  comment: 'comment',
  satisfaction: 'satisfaction',
  callBackAt: 'callBackAt',
};

/** The message key of the field a failure names (`fields.phone`), or null when it names none the console labels. */
export function fieldLabelKey(field: string | undefined): string | null {
  if (!field) return null;
  const label = FIELD_LABELS[field.replace(/^input\./, '')];
  return label ? `fields.${label}` : null;
}

type Translate = (key: string, named?: Record<string, unknown>) => string;

/**
 * A failure in the console's language: bad input names the field by its label ("تحقق من: الجوال"), the other
 * codes say what happened in the viewer's words; the server's own message, written for developers in English,
 * shows only when the console has no words for the case.
 */
export function failureText(failure: ApiFailure, t: Translate, te: (key: string) => boolean): string {
  if (failure.localized) return failure.message;
  const key = fieldLabelKey(failure.field);
  if (failure.code === 'BAD_USER_INPUT' && key && te(key)) return t('errors.badField', { field: t(key) });
  if (te(`errors.${failure.code}`)) return t(`errors.${failure.code}`);
  return failure.message;
}
