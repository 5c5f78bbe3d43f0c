import { execute, GraphQLError, Kind, valueFromAST, type ExecutionArgs, type ExecutionResult, type FieldNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { Role, STAFF_ROLES } from '../auth/auth.enums.js';
import { requireRole, type Viewer } from '../auth/viewer.js';
import type { Context } from '../common/context.js';
import { cursorExpired } from '../common/errors.js';
import type { ReportView } from '../reports/reports.types.js';
import type { CrewView } from '../crews/crews.types.js';
import { compareCursors, decodeCursor, type Cursor } from './events.cursor.js';
import type { EventHub, OutboxEvent } from './events.hub.js';
import type { DispatchEventFilter } from './events.types.js';

/** The one subscription field the fan-out serves. */
export const SUBSCRIPTION_FIELD = 'dispatchEvents';

/**
 * A result whose `data` was serialized once for a whole group: the socket layer splices this JSON into
 * each subscriber's message instead of serializing the same object again per subscriber.
 */
export const RAW_DATA = Symbol('serialized data');
export type FanoutResult = ExecutionResult & { [RAW_DATA]?: string };

interface Member {
  viewer: Viewer;
  /** The last event delivered to (or deliberately skipped for) this subscriber. */
  cursor: Cursor;
  /** False while replaying after a resume; live batches are buffered meanwhile. */
  live: boolean;
  buffer: OutboxEvent[];
  queue: FanoutResult[];
  waiting: ((result: IteratorResult<FanoutResult>) => void) | null;
  done: boolean;
  group: Group;
}

interface Group {
  key: string;
  args: ExecutionArgs;
  filter: DispatchEventFilter | null;
  /** Set for a crew's subscriptions: only events concerning this crew. */
  crewId: string | null;
  viewer: Viewer;
  members: Set<Member>;
}

function subscriptionField(args: ExecutionArgs): FieldNode | undefined {
  const operation = args.document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION && (!args.operationName || definition.name?.value === args.operationName),
  );
  if (operation?.operation !== 'subscription') return undefined;
  const field = operation.selectionSet.selections[0];
  return field?.kind === Kind.FIELD && field.name.value === SUBSCRIPTION_FIELD ? field : undefined;
}

/** What the viewer may see decides the group: staff alike, integrators alike (masked), each crew alone. */
function visibility(viewer: Viewer): { key: string; crewId: string | null } {
  if (viewer.role === Role.CREW) return { key: `crew:${viewer.crewId}`, crewId: viewer.crewId ?? 'none' };
  if (viewer.role === Role.INTEGRATOR) return { key: 'integrator', crewId: null };
  return { key: 'staff', crewId: null };
}

/** Whether an event passes a group's visibility and filter; category and priority apply to events that carry a report. */
export function groupSees(crewId: string | null, filter: DispatchEventFilter | null, event: OutboxEvent): boolean {
  if (crewId && event.crewId !== crewId) return false;
  if (!filter) return true;
  if (filter.types?.length && !filter.types.includes(event.type)) return false;
  const { report, crew } = event.payload as { report?: ReportView; crew?: CrewView };
  if (filter.municipalityCodes?.length) {
    const municipality = report?.municipalityCode ?? crew?.municipalityCode;
    if (!municipality || !filter.municipalityCodes.includes(municipality)) return false;
  }
  if (report && filter.categoryCodes?.length && !filter.categoryCodes.includes(report.categoryCode)) return false;
  if (report && filter.priorities?.length && !filter.priorities.includes(report.priority)) return false;
  return true;
}

/**
 * Subscribers of dispatchEvents, grouped by (document, variables except `after`, visibility). Each live
 * event is filtered, authorized, executed and serialized once per group, then queued to every member:
 * the work per event grows with the number of distinct subscriptions, not the number of sockets.
 * A resuming member replays from the outbox on its own, then joins its group's live stream with no gap
 * or duplicate at the seam (events delivered meanwhile are buffered and de-duplicated by cursor).
 */
export class Fanout {
  private readonly groups = new Map<string, Group>();
  private chain: Promise<void> = Promise.resolve();
  /** Executions run for live events (per group), for the benchmark and tests. */
  executions = 0;

  constructor(
    private readonly hub: EventHub,
    private readonly schema: GraphQLSchema,
    private readonly contextFor: (viewer: Viewer) => Context,
    private readonly log: { error(obj: object, msg: string): void },
  ) {
    hub.subscribe((events) => this.onBatch(events));
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
   * Checks the subscription before it starts (role, cursor, retention) so a refusal is a protocol
   * error naming the reason; returns nothing when it may go ahead.
   */
  async check(args: ExecutionArgs, viewer: Viewer | null): Promise<GraphQLError[] | undefined> {
    try {
      requireRole(viewer, [...STAFF_ROLES, Role.CREW, Role.INTEGRATOR]);
      const { after } = this.arguments(args);
      if (!after) return undefined;
      const cursor = decodeCursor(after);
      const pruned = await this.hub.prunedThrough();
      if ((pruned.txId > 0n || pruned.id > 0n) && compareCursors(cursor, pruned) <= 0) throw cursorExpired();
      return undefined;
    } catch (err) {
      if (err instanceof GraphQLError) return [err];
      throw err;
    }
  }

  /** Starts a checked subscription. */
  join(args: ExecutionArgs, viewer: Viewer): AsyncIterableIterator<FanoutResult> {
    const { after, filter } = this.arguments(args);
    const { key: visibilityKey, crewId } = visibility(viewer);
    const { after: _after, ...shared } = (args.variableValues ?? {}) as Record<string, unknown>;
    const key = `${visibilityKey}\n${args.operationName ?? ''}\n${JSON.stringify(shared)}\n${(args.document.loc?.source.body ?? '').trim()}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { key, args: { ...args, contextValue: undefined }, filter, crewId, viewer, members: new Set() };
      this.groups.set(key, group);
    }
    const member: Member = {
      viewer,
      cursor: after ? decodeCursor(after) : this.hub.cursor,
      live: !after,
      buffer: [],
      queue: [],
      waiting: null,
      done: false,
      group,
    };
    group.members.add(member);
    if (after) void this.catchUp(member);
    return this.iterator(member);
  }

  private arguments(args: ExecutionArgs): { after: string | null; filter: DispatchEventFilter | null } {
    const field = subscriptionField(args);
    const definition = this.schema.getSubscriptionType()?.getFields()[SUBSCRIPTION_FIELD];
    const value = (name: string) => {
      const node = field?.arguments?.find((arg) => arg.name.value === name);
      const type = definition?.args.find((arg) => arg.name === name)?.type;
      return node && type ? valueFromAST(node.value, type, args.variableValues ?? undefined) : undefined;
    };
    return { after: (value('after') as string | null | undefined) ?? null, filter: (value('filter') as DispatchEventFilter | null | undefined) ?? null };
  }

  private onBatch(events: OutboxEvent[]): void {
    for (const group of this.groups.values()) {
      for (const member of group.members) if (!member.live) member.buffer.push(...events);
    }
    this.chain = this.chain.then(() => this.deliver(events)).catch((err) => this.log.error({ err }, 'fan-out failed'));
  }

  private async deliver(events: OutboxEvent[]): Promise<void> {
    await Promise.all(
      [...this.groups.values()].map(async (group) => {
        for (const event of events) {
          if (!groupSees(group.crewId, group.filter, event)) continue;
          const live = [...group.members].filter((member) => member.live && compareCursors(event.cursor, member.cursor) > 0);
          if (live.length === 0) continue;
          this.executions++;
          const result = await this.run(group.args, group.viewer, event);
          for (const member of live) {
            member.cursor = event.cursor;
            this.push(member, result);
          }
        }
      }),
    );
  }

  private async catchUp(member: Member): Promise<void> {
    try {
      for (;;) {
        const page = await this.hub.replay(member.cursor, this.hub.cursor);
        for (const event of page) await this.deliverOne(member, event);
        if (page.length === 0) break;
      }
      while (member.buffer.length && !member.done) {
        const event = member.buffer.shift()!;
        if (compareCursors(event.cursor, member.cursor) > 0) await this.deliverOne(member, event);
      }
      member.live = true;
    } catch (err) {
      this.log.error({ err }, 'resuming a subscription failed');
      this.push(member, { errors: [new GraphQLError('Resuming failed; subscribe again with your last cursor', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] });
      this.finish(member);
    }
  }

  private async deliverOne(member: Member, event: OutboxEvent): Promise<void> {
    if (member.done) return;
    if (groupSees(member.group.crewId, member.group.filter, event)) this.push(member, await this.run(member.group.args, member.viewer, event));
    member.cursor = event.cursor;
  }

  /** Executes the subscription document for one event with a fresh EntityManager, and serializes it once. */
  private async run(args: ExecutionArgs, viewer: Viewer, event: OutboxEvent): Promise<FanoutResult> {
    const result = await execute({ ...args, schema: this.schema, rootValue: event, contextValue: this.contextFor(viewer) });
    if (result.errors?.length) return result;
    return { data: result.data, [RAW_DATA]: JSON.stringify({ data: result.data }) };
  }

  private push(member: Member, result: FanoutResult): void {
    if (member.done) return;
    if (member.waiting) {
      const resolve = member.waiting;
      member.waiting = null;
      resolve({ value: result, done: false });
      return;
    }
    member.queue.push(result);
  }

  private finish(member: Member): void {
    if (member.done) return;
    member.done = true;
    member.group.members.delete(member);
    if (member.group.members.size === 0) this.groups.delete(member.group.key);
    member.buffer = [];
    if (member.waiting) {
      member.waiting({ value: undefined, done: true });
      member.waiting = null;
    }
  }

  private iterator(member: Member): AsyncIterableIterator<FanoutResult> {
    const iterator: AsyncIterableIterator<FanoutResult> = {
      next: () => {
        const queued = member.queue.shift();
        if (queued) return Promise.resolve({ value: queued, done: false });
        if (member.done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          member.waiting = resolve;
        });
      },
      return: () => {
        this.finish(member);
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Ends every subscription (shutdown). */
  close(): void {
    for (const group of [...this.groups.values()]) for (const member of [...group.members]) this.finish(member);
  }
}
