import type { ReportPresence } from './presence.service.js';

/**
 * The async iterator graphql-ws holds for one presence subscription. It keeps only the latest change per report
 * not yet taken, so a slow reader costs at most one entry per report it follows, never a growing queue; `return`
 * (the client completed, or its socket closed) ends it and runs `onEnd` once, which withdraws a page's presence.
 */
export class PresenceStream implements AsyncIterableIterator<ReportPresence> {
  private readonly pending = new Map<string, ReportPresence>();
  private waiting: ((result: IteratorResult<ReportPresence>) => void) | null = null;
  private done = false;

  constructor(
    private readonly reportIds: ReadonlySet<string> | null,
    private readonly onEnd: () => Promise<void> | void,
    /** Whether this stream is a page's own presence (`viewingReport`) rather than a follower's. */
    readonly announces = false,
  ) {}

  /** Whether a change of this report concerns the subscriber. */
  wants(reportId: string): boolean {
    return !this.reportIds || this.reportIds.has(reportId);
  }

  push(change: ReportPresence): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: change, done: false });
      return;
    }
    this.pending.delete(change.reportId);
    this.pending.set(change.reportId, change);
  }

  next(): Promise<IteratorResult<ReportPresence>> {
    const first = this.pending.entries().next();
    if (!first.done) {
      this.pending.delete(first.value[0]);
      return Promise.resolve({ value: first.value[1], done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async return(): Promise<IteratorResult<ReportPresence>> {
    if (!this.done) {
      this.end();
      await this.onEnd();
    }
    return { value: undefined, done: true };
  }

  /** Ends the stream without `onEnd` (the service is shutting down and withdraws everything at once). */
  end(): void {
    this.done = true;
    this.pending.clear();
    const resolve = this.waiting;
    this.waiting = null;
    resolve?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ReportPresence> {
    return this;
  }
}
