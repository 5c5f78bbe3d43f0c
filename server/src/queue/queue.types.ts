import { ArgsType, Extensions, Field, InputType, Int } from 'type-graphql';
import type { CostExtensions } from '../common/limits.js';
import { ViewType } from '../common/view-type.js';
import { Priority, ReportKind, ReportStatus } from '../reports/reports.enums.js';
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

@ArgsType()
export class ReportsArgs {
  @Field(() => ReportFilter, { nullable: true, description: 'Conditions; none lists every report the viewer may see' })
  filter?: ReportFilter | null;

  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1 to 100' })
  first!: number;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  after?: string | null;
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

@ViewType('ReportConnection', 'A page of reports, ordered by priority, then target time')
export class ReportConnection {
  @Extensions({ maxItems: 'first' } satisfies CostExtensions)
  @Field(() => [ReportEdge], { description: 'The page' })
  edges!: ReportEdge[];

  @Field(() => PageInfo, { description: 'Paging' })
  pageInfo!: PageInfo;

  /** Counted only when asked for: counting is the one part of the queue query that grows with the table. */
  countQuery!: () => Promise<number>;
}
