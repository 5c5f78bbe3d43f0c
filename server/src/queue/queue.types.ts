import { ArgsType, Extensions, Field, InputType, Int, registerEnumType } from 'type-graphql';
import type { CostExtensions } from '../common/limits.js';
import { ViewType } from '../common/view-type.js';
import { Channel, Priority, ReportKind, ReportStatus } from '../reports/reports.enums.js';
import { ReportView } from '../reports/reports.types.js';

@InputType({ description: 'Narrow the report list; every given condition must hold' })
export class ReportFilter {
  @Field(() => [ReportStatus], { nullable: true, description: 'Any of these statuses' })
  statuses?: ReportStatus[] | null;

  @Field(() => [ReportKind], { nullable: true, description: 'Any of these kinds (the satisfaction center’s inbox: INQUIRY and NOTE)' })
  kinds?: ReportKind[] | null;

  @Field(() => [Priority], { nullable: true, description: 'Any of these priorities' })
  priorities?: Priority[] | null;

  @Field(() => [String], { nullable: true, description: 'Any of these category codes' })
  categoryCodes?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Any of these municipality codes' })
  municipalityCodes?: string[] | null;

  @Field(() => [String], { nullable: true, description: "Any of these departments (through each report's category)" })
  departmentCodes?: string[] | null;

  @Field(() => [Channel], { nullable: true, description: 'Any of these channels' })
  channels?: Channel[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Filed with this phone number, in any usual form (+9665…, 05…, 9665…, 009665…: one number); blank is no condition, a string that is no phone number is BAD_USER_INPUT',
  })
  reporterPhone?: string | null;

  @Field(() => Boolean, { nullable: true, description: "true: only the center's open work (RECEIVED, ASSIGNED, IN_PROGRESS: the dispatcher's queue, as Report.open); false: only finished reports" })
  open?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only open reports past their target; false: only the others' })
  overdue?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Words in the description, or a reference (or part of one): 3 to 200 characters, found case-insensitively; blank is no condition' })
  text?: string | null;

  @Field(() => Date, { nullable: true, description: 'Received at or after' })
  receivedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Received before' })
  receivedTo?: Date | null;
}

/**
 * The orders the report list pages in. QUEUE is the dispatcher's live order; the others serve the archive,
 * where a report is looked for by when it came or last changed. Each has its own keyset and index, and a
 * cursor is valid only for the order that wrote it.
 */
export enum ReportOrder {
  QUEUE = 'QUEUE',
  RECEIVED_DESC = 'RECEIVED_DESC',
  RECEIVED_ASC = 'RECEIVED_ASC',
  UPDATED_DESC = 'UPDATED_DESC',
}

registerEnumType(ReportOrder, {
  name: 'ReportOrder',
  description: 'How the report list is ordered',
  valuesConfig: {
    QUEUE: { description: 'Priority, then target time (the live queue; Report.queueKey)' },
    RECEIVED_DESC: { description: 'Newest received first' },
    RECEIVED_ASC: { description: 'Oldest received first' },
    UPDATED_DESC: { description: 'Most recently changed first' },
  },
});

@ArgsType()
export class ReportsArgs {
  @Field(() => ReportFilter, { nullable: true, description: 'Conditions; none lists every report the viewer may see' })
  filter?: ReportFilter | null;

  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1 to 100' })
  first!: number;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page, in the same order (a cursor of another order is BAD_USER_INPUT)' })
  after?: string | null;

  @Field(() => ReportOrder, { defaultValue: ReportOrder.QUEUE, description: 'The order; QUEUE unless given' })
  orderBy!: ReportOrder;
}

@ViewType('PageInfo', 'Relay page information')
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether another page follows' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; pass as `after` for the next page' })
  endCursor?: string | null;

  @Field(() => Boolean, { description: 'Whether reports come before this page: true when it was asked for `after` a cursor (lists page forward only)' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge; null for an empty page' })
  startCursor?: string | null;
}

@ViewType('ReportEdge', 'A report in a page')
export class ReportEdge {
  @Field(() => String, { description: 'Position of this report in the order' })
  cursor!: string;

  @Field(() => ReportView, { description: 'The report' })
  node!: ReportView;
}

@ViewType('ReportConnection', 'A page of reports in the order asked for (by priority, then target time unless told)')
export class ReportConnection {
  @Extensions({ maxItems: 'first' } satisfies CostExtensions)
  @Field(() => [ReportEdge], { description: 'The page' })
  edges!: ReportEdge[];

  @Field(() => PageInfo, { description: 'Paging' })
  pageInfo!: PageInfo;

  /** Counted only when asked for: counting is the one part of the queue query that grows with the table. */
  countQuery!: () => Promise<number>;
}
