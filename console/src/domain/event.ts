import type { DispatchEventFields } from '../graphql/fragments.ts';
import type { ResultOf } from '../graphql/graphql.ts';

/** One live dispatch event, as the subscription delivers it. */
export type DispatchEvent = ResultOf<typeof DispatchEventFields>;
