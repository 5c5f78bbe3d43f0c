import { shallowRef } from 'vue';
import type { DuplicateHint } from '../../domain/report.ts';
import type { Run } from '../../graphql/client.ts';
import { ApiError, type ApiErrorCode } from '../../graphql/errors.ts';
import { MarkDuplicateMutation } from '../report/report.operations.ts';
import { DismissDuplicateMutation } from './duplicates.operations.ts';

/**
 * The two answers a dispatcher gives a duplicate hint, one click each: merge the report into the suggested one
 * (the existing markDuplicate) or say they are different problems (dismissDuplicate). The live feed then
 * brings the report's new version to every console (merged: it leaves the queue; dismissed: the hint goes).
 */
export class DuplicateActions {
  readonly busy = shallowRef(false);
  /** Why the last click failed, as the API's code (the view words it): CONFLICT when the report changed meanwhile. */
  readonly error = shallowRef<ApiErrorCode | null>(null);

  constructor(
    private readonly run: Run,
    private readonly reportId: string,
  ) {}

  merge(hint: DuplicateHint): Promise<boolean> {
    return this.act(hint, (otherId) => this.run(MarkDuplicateMutation, { id: this.reportId, duplicateOf: otherId }));
  }

  dismiss(hint: DuplicateHint): Promise<boolean> {
    return this.act(hint, (otherId) => this.run(DismissDuplicateMutation, { reportId: this.reportId, duplicateOfId: otherId }));
  }

  private async act(hint: DuplicateHint, send: (otherId: string) => Promise<unknown>): Promise<boolean> {
    if (!hint.reportId || this.busy.value) return false;
    this.busy.value = true;
    this.error.value = null;
    try {
      await send(hint.reportId);
      return true;
    } catch (err) {
      this.error.value = err instanceof ApiError ? err.failure.code : 'NETWORK';
      return false;
    } finally {
      this.busy.value = false;
    }
  }
}
