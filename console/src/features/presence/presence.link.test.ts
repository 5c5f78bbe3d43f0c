// @vitest-environment happy-dom
import type { ClientOptions, Sink } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { clearSession, setSession } from '../../session/session.ts';
import { others, PresenceLink, type Viewer } from './presence.link.ts';

interface FakeSubscription {
  query: string;
  variables: Record<string, unknown>;
  sink: Sink;
  disposed: boolean;
}

/** A stand-in for the graphql-ws client: records subscriptions and lets the test play the server. */
class FakeSocket {
  subscriptions: FakeSubscription[] = [];
  disposed = false;
  options!: Pick<ClientOptions, 'connectionParams'>;
  factory = (options: Pick<ClientOptions, 'connectionParams'>) => {
    this.options = options;
    return {
      subscribe: (payload: { query: string; variables?: Record<string, unknown> | null }, sink: Sink) => {
        const subscription: FakeSubscription = { query: payload.query, variables: payload.variables ?? {}, sink, disposed: false };
        this.subscriptions.push(subscription);
        return () => {
          subscription.disposed = true;
        };
      },
      dispose: () => {
        this.disposed = true;
      },
    };
  };
}

const viewer = (userId: string, name: string): Viewer => ({ userId, name, role: 'DISPATCHER', since: '2026-12-02T08:00:00.000Z' });
const ahmad = viewer('u-ahmad', 'أحمد');
const sara = viewer('u-sara', 'Sara');

describe('the console presence link', () => {
  afterEach(() => clearSession());

  it('keeps who has which report open from the follow stream, dropping a report nobody has open any more', () => {
    const socket = new FakeSocket();
    const link = new PresenceLink(socket.factory);
    link.follow();
    link.follow();
    expect(socket.subscriptions).toHaveLength(1);
    const [follow] = socket.subscriptions;
    expect(follow.query).toContain('reportPresence');

    follow.sink.next({ data: { reportPresence: { reportId: 'r1', viewers: [ahmad, sara] } } });
    follow.sink.next({ data: { reportPresence: { reportId: 'r2', viewers: [sara] } } });
    expect(link.everyone.value.get('r1')).toEqual([ahmad, sara]);
    follow.sink.next({ data: { reportPresence: { reportId: 'r1', viewers: [] } } });
    expect([...link.everyone.value.keys()]).toEqual(['r2']);

    link.stop();
    expect(follow.disposed).toBe(true);
    expect(socket.disposed).toBe(true);
  });

  it('announces a page for as long as it is open and hands it the viewers at every change', () => {
    const socket = new FakeSocket();
    const link = new PresenceLink(socket.factory);
    const heard: (readonly Viewer[])[] = [];
    const leave = link.view('r1', (viewers) => heard.push(viewers));
    const [page] = socket.subscriptions;
    expect(page.query).toContain('viewingReport');
    expect(page.variables).toEqual({ reportId: 'r1' });

    page.sink.next({ data: { viewingReport: { reportId: 'r1', viewers: [ahmad] } } });
    page.sink.next({ data: { viewingReport: { reportId: 'r1', viewers: [ahmad, sara] } } });
    expect(heard).toEqual([[ahmad], [ahmad, sara]]);

    leave();
    expect(page.disposed).toBe(true);
    page.sink.next({ data: { viewingReport: { reportId: 'r1', viewers: [] } } });
    expect(heard).toHaveLength(2);
  });

  it('tells a page when the server refuses it, saying so when it is the limit of reports open at once', () => {
    const socket = new FakeSocket();
    const link = new PresenceLink(socket.factory);
    const refusals: string[] = [];
    link.view(
      'r1',
      () => undefined,
      (why) => refusals.push(why),
    );
    link.view(
      'r2',
      () => undefined,
      (why) => refusals.push(why),
    );
    socket.subscriptions[0].sink.next({ errors: [{ message: 'too many', extensions: { code: 'RATE_LIMITED', limit: 10 } }] });
    socket.subscriptions[1].sink.error([{ message: 'no', extensions: { code: 'FORBIDDEN' } }]);
    expect(refusals).toEqual(['limit', 'refused']);
  });

  it('presents the current token when it connects, and leaves the signed-in user out of the others', async () => {
    setSession({ token: 'tok-1', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), viewer: { id: 'u-ahmad', username: 'أحمد', role: 'DISPATCHER', crew: null } });
    const socket = new FakeSocket();
    new PresenceLink(socket.factory);
    const params = socket.options.connectionParams as () => Record<string, unknown>;
    expect(await params()).toEqual({ authorization: 'Bearer tok-1' });
    expect(others([ahmad, sara])).toEqual([sara]);
    expect(others(undefined)).toEqual([]);
  });
});
