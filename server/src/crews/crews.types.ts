import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { ViewType } from '../common/view-type.js';
import { CrewStatus } from './crews.enums.js';

/** A crew as the API shows it; also its snapshot in dispatch events. */
@ViewType('Crew', 'A field crew of a department')
export class CrewView {
  @Field(() => ID, { description: 'Opaque identifier' })
  id!: string;

  @Field(() => String, { description: "The Arabic name (same as nameAr), kept for clients written before crews had two names; show nameAr or nameEn by the reader's language" })
  name!: string;

  @Field(() => String, { description: 'Name in Arabic, e.g. "فريق اللوحات - الخبر 1"' })
  nameAr!: string;

  @Field(() => String, { description: 'Name in English, e.g. "Billboards crew – Khobar 1"' })
  nameEn!: string;

  @Field(() => Boolean, { description: 'Whether the crew is on shift and can be assigned' })
  onDuty!: boolean;

  /** Derived (see CrewsResolver.status); absent on views read straight from rows until a client asks. */
  @Field(() => CrewStatus, { description: 'Derived from onDuty and the active assignment' })
  status?: CrewStatus;

  @Field(() => [String], { description: 'Category codes the crew is equipped for' })
  skills!: string[];

  @Field(() => Int, { description: 'Incremented on every change' })
  version!: number;

  departmentCode!: string;
  municipalityCode!: string;
  lat?: number | null;
  lng?: number | null;
  locationAt?: Date | null;
  /** The leading active assignment, null when none; undefined when not read yet (views read straight from rows). */
  activeAssignmentId?: string | null;
}

@ViewType('CrewLocation', "A crew's last reported position")
export class CrewLocationView {
  @Field(() => Float, { description: 'Latitude, WGS84' })
  lat!: number;

  @Field(() => Float, { description: 'Longitude, WGS84' })
  lng!: number;

  @Field(() => Date, { description: 'When the crew reported it' })
  at!: Date;
}

@InputType({ description: 'A point, for ordering by distance' })
export class PointInput {
  @Field(() => Float, { description: 'Latitude, WGS84' })
  lat!: number;

  @Field(() => Float, { description: 'Longitude, WGS84' })
  lng!: number;
}

@InputType({ description: 'Narrow the crew list; every given condition must hold' })
export class CrewFilter {
  @Field(() => [String], { nullable: true, description: 'Any of these departments' })
  departmentCodes?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Any of these municipalities' })
  municipalityCodes?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Only crews on (true) or off (false) duty' })
  onDuty?: boolean | null;

  @Field(() => [CrewStatus], { nullable: true, description: 'Any of these derived statuses' })
  statuses?: CrewStatus[] | null;

  @Field(() => PointInput, { nullable: true, description: 'Order by distance from this point, nearest first (crews without a location last)' })
  near?: PointInput | null;
}
