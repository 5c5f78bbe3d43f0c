import { Field, Float, Int } from 'type-graphql';
import { ViewType } from '../common/view-type.js';
import { Priority } from '../reports/reports.enums.js';

@ViewType('Municipality', 'A municipality (بلدية) of the Eastern Province')
export class MunicipalityView {
  @Field(() => String, { description: 'Stable code, e.g. KHOBAR' })
  code!: string;

  @Field(() => String, { description: 'Arabic name' })
  nameAr!: string;

  @Field(() => String, { description: 'English name' })
  nameEn!: string;

  @Field(() => Float, { description: 'Latitude of its centre' })
  lat!: number;

  @Field(() => Float, { description: 'Longitude of its centre' })
  lng!: number;
}

@ViewType('Department', 'A department that owns crews and categories of work')
export class DepartmentView {
  @Field(() => String, { description: 'Stable code, e.g. BUILDING_CONTROL' })
  code!: string;

  @Field(() => String, { description: 'Arabic name' })
  nameAr!: string;

  @Field(() => String, { description: 'English name' })
  nameEn!: string;
}

@ViewType('Category', 'A kind of report, with its routing, default priority and response target')
export class CategoryView {
  @Field(() => String, { description: 'Stable code, e.g. HAZARDOUS_BILLBOARD' })
  code!: string;

  @Field(() => String, { description: 'Arabic name' })
  nameAr!: string;

  @Field(() => String, { description: 'English name' })
  nameEn!: string;

  @Field(() => Priority, { description: 'Priority a new report of this category starts with' })
  defaultPriority!: Priority;

  @Field(() => Int, { description: 'Hours from receipt to the response target' })
  targetHours!: number;

  @Field(() => Boolean, { description: 'Whether it endangers life (dispatch at once, around the clock)' })
  lifeSafety!: boolean;

  @Field(() => Int, { nullable: true, description: "How near (metres) two of its reports must be to be suggested as duplicates; null: the server's default (DUPLICATE_RADIUS_M, 150)" })
  duplicateRadiusMeters!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "How far apart in time (hours, either order) two of its reports may be and still be suggested as duplicates; null: the server's default (DUPLICATE_WINDOW_HOURS, 72)",
  })
  duplicateWindowHours!: number | null;

  departmentCode!: string;
}
