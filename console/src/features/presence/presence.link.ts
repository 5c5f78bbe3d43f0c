import { stringifyDocument } from '@urql/core';
import { createClient, type Client as WsClient, type ClientOptions, type ExecutionResult, type Sink } from 'graphql-ws';
import { inject, onBeforeUnmount, provide, shallowRef, type InjectionKey, type ShallowRef } from 'vue';
import type { ResultOf } from '../../graphql/graphql.ts';
import { currentToken, session } from '../../session/session.ts';
import { ReportPresenceFields, ReportPresenceSubscription, ViewingReportSubscription } from './presence.operations.ts';

export type ReportPresence = ResultOf<typeof ReportPresenceFields>;
export type Viewer = ReportPresence['viewers'][number];

/** Why the server refused a page's presence: too many reports open (RATE_LIMITED), or any other refusal. */
export type PresenceRefusal = 'limit' | 'refused';

type SocketFactory = (options: Pick<ClientOptions, 'connectionParams'>) => Pick<WsClient, 'subscribe' | 'dispose'>;

/** Retries back off from 0.5 s to 15 s with jitter, as the live feed's do. */
function retryWait(retries: number): Promise<void> {
  const base = Math.min(15_000, 500 * 2 ** retries);
  return new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * (base / 2)));
}

function defaultSocket(options: Pick<ClientOptions, 'connectionParams'>) {
  return createClient({
    url: () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    lazy: true,
    keepAlive: 10_000,
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: () => true,
    retryWait,
    ...options,
  });
}

function codeOf(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): string {
  return String(errors?.[0]?.extensions?.code ?? '');
}

/**
 * The console's presence (issue 13) over a WebSocket of its own: the server ends a page's presence when its
 * subscription ends or this socket closes, so the page announces itself by subscribing (`view`) and leaves by
 * unsubscribing, and closing the tab ends it without a word. The socket opens with the first subscription and
 * closes with the last; after a drop it reconnects and subscribes again (graphql-ws's retry), which announces the
 * open page again. `everyone` is who has which report open (`follow`), for the queue's badges.
 */
export class PresenceLink {
  /** Who has which report open, as the server last said; only reports someone has open. */
  readonly everyone: ShallowRef<ReadonlyMap<string, readonly Viewer[]>> = shallowRef(new Map());
  private readonly ws: ReturnType<SocketFactory>;
  private following: (() => void) | null = null;

  constructor(socket: SocketFactory = defaultSocket) {
    this.ws = socket({ connectionParams: () => ({ authorization: `Bearer ${currentToken() ?? ''}` }) });
  }

  /** Keeps `everyone` up to date until `stop`; a role that may not see presence just gets no badges. */
  follow(): void {
    if (this.following) return;
    this.following = this.subscribe(stringifyDocument(ReportPresenceSubscription), {}, (change) => {
      const next = new Map(this.everyone.value);
      if (change.viewers.length) next.set(change.reportId, change.viewers);
      else next.delete(change.reportId);
      this.everyone.value = next;
    });
  }

  /**
   * Announces that this page has `reportId` open until the returned function is called, and hands `onViewers`
   * everyone who has it open at every change; `onRefused` hears why the server would not have it.
   */
  view(reportId: string, onViewers: (viewers: readonly Viewer[]) => void, onRefused: (why: PresenceRefusal) => void = () => undefined): () => void {
    return this.subscribe(stringifyDocument(ViewingReportSubscription), { reportId }, (change) => onViewers(change.viewers), onRefused);
  }

  stop(): void {
    this.following?.();
    this.following = null;
    this.ws.dispose();
  }

  private subscribe(query: string, variables: Record<string, unknown>, onChange: (change: ReportPresence) => void, onRefused?: (why: PresenceRefusal) => void): () => void {
    let done = false;
    const sink: Sink<ExecutionResult<Record<string, ReportPresence>>> = {
      next: (result) => {
        if (done) return;
        if (result.errors?.length) {
          done = true;
          onRefused?.(codeOf(result.errors) === 'RATE_LIMITED' ? 'limit' : 'refused');
          return;
        }
        const change = result.data && Object.values(result.data)[0];
        if (change) onChange(change);
      },
      error: (error) => {
        if (done) return;
        done = true;
        onRefused?.(Array.isArray(error) && codeOf(error) === 'RATE_LIMITED' ? 'limit' : 'refused');
      },
      complete: () => {
        done = true;
      },
    };
    const dispose = this.ws.subscribe({ query, variables }, sink);
    return () => {
      done = true;
      dispose();
    };
  }
}

/** Everyone but the signed-in user: one's own page is no news. */
export function others(viewers: readonly Viewer[] | undefined): Viewer[] {
  const me = session.value?.viewer.id;
  return (viewers ?? []).filter((viewer) => viewer.userId !== me);
}

const PRESENCE: InjectionKey<PresenceLink> = Symbol('presence');

/** Makes the shell's one presence link (following everyone for the queue), shared by the pages under it. */
export function providePresence(): PresenceLink {
  const link = new PresenceLink();
  link.follow();
  provide(PRESENCE, link);
  onBeforeUnmount(() => link.stop());
  return link;
}

/** The shell's presence link, or one of this component's own where no shell provides it (the satisfaction center). */
export function usePresence(): PresenceLink {
  const provided = inject(PRESENCE, null);
  if (provided) return provided;
  const own = new PresenceLink();
  onBeforeUnmount(() => own.stop());
  return own;
}
