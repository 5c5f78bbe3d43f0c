import { execute, getOperationAST, getVariableValues, GraphQLError, Kind, valueFromAST, type ExecutionArgs, type ExecutionResult, type FieldNode, type GraphQLSchema } from 'graphql';
import { authorize, eventAudience, eventAudienceAllows, masksReporter } from '../access/access.policy.js';
import type { Viewer } from '../access/access.viewer.js';
import type { Context } from '../access/access.context.js';
import { badInput, cursorExpired, limitReached } from '../common/errors.js';
import { storableArguments } from '../common/validate.js';
import { compareCursors, decodeCursor, ORIGIN, type Cursor } from './events.cursor.js';
import { formatErrors, INTERNAL, USER_INPUT, withCode, type FormatError } from './events.errors.js';
import type { EventHub, OutboxEvent } from './events.hub.js';
import type { DispatchEventFilter } from './events.types.js';

type EventAudience = ReturnType<typeof eventAudience>;

/** The one subscription field the fan-out serves. */
export const SUBSCRIPTION_FIELD = 'dispatchEvents';

/**
 * Socket writes between two turns of the event loop while one event goes out to a large group: commits,
 * outbox reads and HTTP requests run in between instead of waiting for the last of 10,000 sockets.
 */
const DELIVERIES_PER_TURN = 500;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes serialized `next` payloads (`{"data":…}` or `{"data":…,"errors":…}`), in order, to a subscriber's
 * socket, synchronously; the socket layer wraps each in the subscriber's message and may write several
 * in one go.
 */
export type Deliver = (payloads: readonly string[]) => void;

interface Member {
  viewer: Viewer;
  /** The last event delivered to (or deliberately skipped for) this subscriber. */
  cursor: Cursor;
  /** False while replaying after a resume; live batches are buffered meanwhile. */
  live: boolean;
  buffer: OutboxEvent[] | null;
  deliver: Deliver;
  /** A terminal error for graphql-ws to emit before it completes the subscription. */
  failure: ExecutionResult | null;
  waiting: ((result: IteratorResult<ExecutionResult>) => void) | null;
  done: boolean;
  group: Group;
}

interface Group {
  key: string;
  /** Who may see what this group sees (visibility's key); the cap on distinct groups counts per audience. */
  audience: string;
  args: ExecutionArgs;
  filter: DispatchEventFilter | null;
  /** Which events its viewers see (the access policy's `eventAudience`). */
  eventAudience: EventAudience;
  viewer: Viewer;
  members: Set<Member>;
}

function subscriptionField(args: ExecutionArgs): FieldNode | undefined {
  const operation = getOperationAST(args.document, args.operationName ?? undefined);
  if (operation?.operation !== 'subscription') return undefined;
  const field = operation.selectionSet.selections[0];
  return field?.kind === Kind.FIELD && field.name.value === SUBSCRIPTION_FIELD ? field : undefined;
}

/**
 * The group's audience key: viewers with the same key see the same events the same way (the access policy's
 * `eventAudience`, and whether the reporter is masked: integrators see it so, staff whole).
 */
function audienceKey(viewer: Viewer, audience: EventAudience): string {
  if (audience.kind === 'crew') return `crew:${audience.crewId}`;
  if (masksReporter(viewer)) return 'masked';
  return audience.center ? 'staff' : 'all';
}

/** Whether an event passes a group's audience and filter; category and priority apply to events that carry a report. */
export function groupSees(audience: EventAudience, filter: DispatchEventFilter | null, event: OutboxEvent): boolean {
  if (!eventAudienceAllows(audience, { crewIds: event.crewIds, type: event.stored?.type })) return false;
  const { stored } = event;
  if (!stored) return false;
  if (!filter) return true;
  if (filter.types?.length && !filter.types.includes(stored.type)) return false;
  const report = 'report' in stored.payload ? stored.payload.report : undefined;
  const crew = 'crew' in stored.payload ? stored.payload.crew : undefined;
  if (filter.municipalityCodes?.length) {
    const municipality = report?.municipalityCode ?? crew?.municipalityCode;
    if (!municipality || !filter.municipalityCodes.includes(municipality)) return false;
  }
  if (report && filter.categoryCodes?.length && !filter.categoryCodes.includes(report.categoryCode)) return false;
  if (report && filter.priorities?.length && !filter.priorities.includes(report.priority)) return false;
  return true;
}

export interface FanoutOptions {
  /**
   * Distinct groups per audience (staff, integrators, each crew): an event runs once per group that may see
   * it, so this bounds the work per event whatever clients send. A new group past it is refused with
   * RATE_LIMITED; joining an existing group always works. Default 200.
   */
  maxGroupsPerAudience?: number;
  /** The HTTP error formatter, applied to errors in event results. */
  formatError: FormatError;
}

/**
 * Subscribers of dispatchEvents, grouped by (document, variables except `after`, visibility). Each live
 * event is filtered, authorized, executed and serialized once per group, then written to every member's
 * socket through its `Deliver`: the work per event grows with the number of distinct subscriptions, and
 * a delivery costs one string concatenation and one socket write, with no promise per subscriber (a large
 * group yields to the event loop every DELIVERIES_PER_TURN writes). The iterator graphql-ws holds only
 * carries a terminal error and the end of the subscription.
 * A resuming member replays from the outbox on its own, then joins its group's live stream with no gap
 * or duplicate at the seam (events delivered meanwhile are buffered and de-duplicated by cursor).
 */
export class Fanout {
  private readonly groups = new Map<string, Group>();
  /** Groups per audience, for the cap. */
  private readonly audiences = new Map<string, number>();
  private readonly maxGroups: number;
  /** Live events read by the hub and not yet fanned out, in cursor order. */
  private pending: OutboxEvent[] = [];
  private delivering = false;
  /** Executions run for live events (per group), for the benchmark and tests. */
  executions = 0;
  private readonly ended = (member: Member) => this.finish(member);

  constructor(
    private readonly hub: EventHub,
    private readonly schema: GraphQLSchema,
    private readonly contextFor: (viewer: Viewer) => Context,
    private readonly log: { error(obj: object, msg: string): void },
    private readonly options: FanoutOptions,
  ) {
    this.maxGroups = options.maxGroupsPerAudience ?? 200;
    hub.subscribe((events) => this.onBatch(events));
  }

  /** Whether the database answers now: the hub reads the outbox (an outage found so is announced). */
  async databaseReachable(): Promise<boolean> {
    await this.hub.wake();
    return this.hub.available;
  }

  /** Calls `listener` whenever the hub loses the database, so the socket layer can tell every client to resume later. */
  onDatabaseLost(listener: () => void): () => void {
    return this.hub.onOutage(listener);
  }

  /** Whether graphql-ws should hand this operation to the fan-out. */
  serves(args: ExecutionArgs): boolean {
    return subscriptionField(args) !== undefined;
  }

  get subscriberCount(): number {
    let count = 0;
    for (const group of this.groups.values()) count += group.members.size;
    return count;
  }

  /**
   * Checks a subscription (role, cursor against retention and the newest event, the cap on distinct
   * groups) and, when it may go ahead, joins it: its results are written through `deliver`. A refusal is
   * the errors to answer with. The cap is checked and the group made in one synchronous step after the
   * last await, so concurrent subscribes cannot overshoot it.
   */
  async admit(args: ExecutionArgs, viewer: Viewer | null, deliver: Deliver): Promise<AsyncIterableIterator<ExecutionResult> | GraphQLError[]> {
    let given: ReturnType<Fanout['arguments']>;
    let resumeFrom: Cursor | null;
    try {
      authorize(viewer, 'dispatchEvents');
      given = this.arguments(args);
      storableArguments(given);
      resumeFrom = await this.resumeFrom(given.after);
    } catch (err) {
      if (err instanceof GraphQLError) return [err];
      throw err;
    }
    const eventAudienceOf = eventAudience(viewer!);
    const audience = audienceKey(viewer!, eventAudienceOf);
    const { after: _after, ...shared } = (args.variableValues ?? {}) as Record<string, unknown>;
    const key = `${audience}\n${args.operationName ?? ''}\n${JSON.stringify(shared)}\n${(args.document.loc?.source.body ?? '').trim()}`;
    let group = this.groups.get(key);
    if (!group) {
      const size = this.audiences.get(audience) ?? 0;
      if (size >= this.maxGroups) {
        return [
          limitReached(
            `This server already serves ${this.maxGroups} distinct dispatchEvents subscriptions for your audience: subscribe with a document and variables already in use, or retry later`,
            this.maxGroups,
          ),
        ];
      }
      this.audiences.set(audience, size + 1);
      group = { key, audience, args: { ...args, contextValue: undefined }, filter: given.filter, eventAudience: eventAudienceOf, viewer: viewer!, members: new Set() };
      this.groups.set(key, group);
    }
    const member: Member = {
      viewer: viewer!,
      cursor: resumeFrom ?? this.hub.cursor,
      live: !resumeFrom,
      buffer: resumeFrom ? [] : null,
      deliver,
      failure: null,
      waiting: null,
      done: false,
      group,
    };
    group.members.add(member);
    if (resumeFrom) void this.catchUp(member);
    return new MemberIterator(member, this.ended);
  }

  /**
   * The cursor to resume after, or null to start live. BAD_USER_INPUT when it names no event that was ever
   * written (forged, or past the newest: resuming there would silently skip every live event before it),
   * CURSOR_EXPIRED when retention has deleted what follows it.
   */
  private async resumeFrom(after: string | null): Promise<Cursor | null> {
    if (!after) return null;
    const cursor = decodeCursor(after);
    const { pruned, newest } = await this.hub.resumeBounds();
    if (compareCursors(cursor, newest) > 0) throw badInput('after', 'after is past the newest dispatch event: resume with a cursor you received, or subscribe without it');
    if (compareCursors(pruned, ORIGIN) > 0 && compareCursors(cursor, pruned) <= 0) throw cursorExpired();
    return cursor;
  }

  /**
   * The subscription's `after` and `filter`, read from variables coerced as graphql-js coerces them: variables
   * that do not fit their declared types (an unknown event type, say) are BAD_USER_INPUT, never read as an
   * absent filter that would widen the subscription to every event.
   */
  private arguments(args: ExecutionArgs): { after: string | null; filter: DispatchEventFilter | null } {
    const field = subscriptionField(args);
    const definition = this.schema.getSubscriptionType()?.getFields()[SUBSCRIPTION_FIELD];
    const operation = getOperationAST(args.document, args.operationName ?? undefined);
    const coerced = getVariableValues(this.schema, operation?.variableDefinitions ?? [], args.variableValues ?? {}, { maxErrors: 1, hideSuggestions: args.hideSuggestions ?? undefined });
    if (coerced.errors) throw withCode(coerced.errors[0], USER_INPUT);
    const value = (name: string) => {
      const node = field?.arguments?.find((arg) => arg.name.value === name);
      const type = definition?.args.find((arg) => arg.name === name)?.type;
      return node && type ? valueFromAST(node.value, type, coerced.coerced) : undefined;
    };
    return { after: (value('after') as string | null | undefined) ?? null, filter: (value('filter') as DispatchEventFilter | null | undefined) ?? null };
  }

  private onBatch(events: OutboxEvent[]): void {
    for (const group of this.groups.values()) {
      for (const member of group.members) if (member.buffer) member.buffer.push(...events);
    }
    this.pending.push(...events);
    if (!this.delivering) void this.deliverPending();
  }

  /**
   * Fans out whatever the hub has read, one round at a time. Events read while a round is going out
   * wait for the next round together, so a member behind by several events gets them in one write.
   */
  private async deliverPending(): Promise<void> {
    this.delivering = true;
    try {
      while (this.pending.length) {
        const events = this.pending;
        this.pending = [];
        await this.deliver(events).catch((err) => this.log.error({ err }, 'fan-out failed'));
      }
    } finally {
      this.delivering = false;
    }
  }

  /**
   * Executes each event once per group that may see it (groups concurrently), then writes to each live
   * member what it has not had yet, yielding to the event loop every DELIVERIES_PER_TURN writes in all.
   */
  private async deliver(events: OutboxEvent[]): Promise<void> {
    const rounds = await Promise.all([...this.groups.values()].map((group) => this.prepare(group, events)));
    let sent = 0;
    for (const { group, cursors, payloads } of rounds) {
      if (payloads.length === 0) continue;
      const last = cursors[cursors.length - 1];
      for (const member of group.members) {
        if (!member.live || compareCursors(last, member.cursor) <= 0) continue;
        let from = 0;
        while (compareCursors(cursors[from], member.cursor) <= 0) from++;
        member.cursor = last;
        member.deliver(from === 0 ? payloads : payloads.slice(from));
        if (++sent % DELIVERIES_PER_TURN === 0) await nextTurn();
      }
    }
  }

  /** The group's serialized results for the events it may see and some member still awaits, in order. */
  private async prepare(group: Group, events: OutboxEvent[]): Promise<{ group: Group; cursors: Cursor[]; payloads: string[] }> {
    const cursors: Cursor[] = [];
    const payloads: string[] = [];
    for (const event of events) {
      if (!groupSees(group.eventAudience, group.filter, event) || !this.awaited(group, event)) continue;
      this.executions++;
      payloads.push(await this.run(group.args, group.viewer, event));
      cursors.push(event.cursor);
    }
    return { group, cursors, payloads };
  }

  /** Whether some live member of the group has yet to receive this event. */
  private awaited(group: Group, event: OutboxEvent): boolean {
    for (const member of group.members) if (member.live && compareCursors(event.cursor, member.cursor) > 0) return true;
    return false;
  }

  private async catchUp(member: Member): Promise<void> {
    try {
      for (;;) {
        const page = await this.hub.replay(member.cursor, this.hub.cursor);
        for (const event of page) await this.deliverOne(member, event);
        if (page.length === 0) break;
      }
      const buffer = member.buffer!;
      while (buffer.length && !member.done) {
        const event = buffer.shift()!;
        if (compareCursors(event.cursor, member.cursor) > 0) await this.deliverOne(member, event);
      }
      member.buffer = null;
      member.live = true;
    } catch (err) {
      this.log.error({ err }, 'resuming a subscription failed');
      this.fail(member, { errors: [new GraphQLError('Resuming failed; subscribe again with your last cursor', { extensions: { code: INTERNAL } })] });
    }
  }

  private async deliverOne(member: Member, event: OutboxEvent): Promise<void> {
    if (member.done) return;
    if (groupSees(member.group.eventAudience, member.group.filter, event)) {
      const payload = await this.run(member.group.args, member.viewer, event);
      if (member.done) return;
      member.deliver([payload]);
    }
    member.cursor = event.cursor;
  }

  /**
   * Executes the subscription document for one event with a fresh EntityManager and serializes the
   * result once, as graphql-ws would: `data`, then `errors` (through the HTTP formatter) when there are any.
   */
  private async run(args: ExecutionArgs, viewer: Viewer, event: OutboxEvent): Promise<string> {
    const { errors, ...result } = await execute({ ...args, schema: this.schema, rootValue: event, contextValue: this.contextFor(viewer) });
    return JSON.stringify(errors ? { ...result, errors: formatErrors(this.options.formatError, errors, INTERNAL) } : result);
  }

  /** Hands a terminal error to graphql-ws (which emits it after everything already delivered), then ends. */
  private fail(member: Member, result: ExecutionResult): void {
    if (member.done) return;
    member.failure = result;
    this.finish(member);
  }

  private finish(member: Member): void {
    if (member.done) return;
    member.done = true;
    member.group.members.delete(member);
    if (member.group.members.size === 0 && this.groups.get(member.group.key) === member.group) {
      this.groups.delete(member.group.key);
      const size = (this.audiences.get(member.group.audience) ?? 1) - 1;
      if (size > 0) this.audiences.set(member.group.audience, size);
      else this.audiences.delete(member.group.audience);
    }
    member.buffer = null;
    if (member.waiting) {
      const resolve = member.waiting;
      member.waiting = null;
      resolve(take(member));
    }
  }

  /** Ends every subscription (shutdown). */
  close(): void {
    for (const group of [...this.groups.values()]) for (const member of [...group.members]) this.finish(member);
  }
}

/** What graphql-ws gets next from an ended member: its terminal error once, then the end. */
function take(member: Member): IteratorResult<ExecutionResult> {
  const failure = member.failure;
  member.failure = null;
  return failure ? { value: failure, done: false } : { value: undefined, done: true };
}

/**
 * graphql-ws's handle on a member: it waits on `next` (which only ever yields a terminal error) and ends
 * the member with `return`. A class, so a subscription costs no closures of its own.
 */
class MemberIterator implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private readonly member: Member,
    private readonly end: (member: Member) => void,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    const member = this.member;
    if (member.done) return Promise.resolve(take(member));
    return new Promise((resolve) => {
      member.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.end(this.member);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }
}
