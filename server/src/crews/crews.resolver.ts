import { Arg, Authorized, Ctx, Extensions, FieldResolver, Float, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { OPERATIONS } from '../access/access.policy.js';
import { requireViewer } from '../access/access.viewer.js';
import type { Context } from '../access/access.context.js';
import type { CostExtensions } from '../common/limits.js';
import { toDepartmentView, toMunicipalityView } from '../reference/reference.mapper.js';
import { DepartmentView, MunicipalityView } from '../reference/reference.types.js';
import { deriveCrewStatus, toCrewLocationView } from './crews.mapper.js';
import { CrewStatus } from './crews.enums.js';
import { CrewFilter, CrewLocationView, CrewView } from './crews.types.js';

/** The cost rule counts `crews` as the province's crews: a few dozen per department, seven departments. */
const CREWS_MAX: CostExtensions = { maxItems: 200 };

@Resolver(() => CrewView)
export class CrewsResolver {
  @Authorized(...OPERATIONS.crews)
  @Extensions(CREWS_MAX)
  @Query(() => [CrewView], { description: 'Crews the caller may see (a crew sees itself), by name or by distance from filter.near' })
  crews(
    @Arg('filter', () => CrewFilter, { nullable: true, description: 'Conditions and order; none lists every crew the caller may see' }) filter: CrewFilter | null,
    @Ctx() ctx: Context,
  ): Promise<CrewView[]> {
    return ctx.services.crews.list(ctx.em, requireViewer(ctx.viewer), filter);
  }

  @Authorized(...OPERATIONS.crew)
  @Query(() => CrewView, { nullable: true, description: 'One crew, or null when it does not exist or the caller may not see it' })
  crew(@Arg('id', () => ID, { description: 'The crew' }) id: string, @Ctx() ctx: Context): Promise<CrewView | null> {
    return ctx.services.crews.get(ctx.em, requireViewer(ctx.viewer), id);
  }

  @Authorized(...OPERATIONS.setCrewOnDuty)
  @Mutation(() => CrewView, { description: "Start or end a shift: a crew's own call, or a dispatcher's for any crew" })
  setCrewOnDuty(
    @Arg('crewId', () => ID, { description: 'The crew whose shift starts or ends' }) crewId: string,
    @Arg('onDuty', () => Boolean, { description: 'true to start the shift, false to end it (CONFLICT while it holds an active assignment)' }) onDuty: boolean,
    @Ctx() ctx: Context,
  ): Promise<CrewView> {
    return ctx.services.crews.setOnDuty(ctx.em, requireViewer(ctx.viewer), crewId, onDuty);
  }

  @Authorized(...OPERATIONS.updateCrewLocation)
  @Mutation(() => CrewView, { description: "The calling crew's position" })
  updateCrewLocation(
    @Arg('lat', () => Float, { description: 'Latitude, WGS84, inside the Eastern Province' }) lat: number,
    @Arg('lng', () => Float, { description: 'Longitude, WGS84, inside the Eastern Province' }) lng: number,
    @Ctx() ctx: Context,
  ): Promise<CrewView> {
    return ctx.services.crews.updateLocation(ctx.em, requireViewer(ctx.viewer), lat, lng);
  }

  @FieldResolver(() => DepartmentView, { description: 'The department the crew belongs to' })
  async department(@Root() crew: CrewView, @Ctx() ctx: Context): Promise<DepartmentView> {
    const department = await ctx.loaders.department.load(crew.departmentCode);
    if (!department) throw new Error(`department ${crew.departmentCode} missing`);
    return toDepartmentView(department);
  }

  @FieldResolver(() => MunicipalityView, { description: 'Home municipality' })
  async municipality(@Root() crew: CrewView, @Ctx() ctx: Context): Promise<MunicipalityView> {
    const municipality = await ctx.loaders.municipality.load(crew.municipalityCode);
    if (!municipality) throw new Error(`municipality ${crew.municipalityCode} missing`);
    return toMunicipalityView(municipality);
  }

  @FieldResolver(() => CrewLocationView, { nullable: true, description: 'Last shared position, if any' })
  location(@Root() crew: CrewView): CrewLocationView | null {
    return toCrewLocationView(crew);
  }

  @FieldResolver(() => CrewStatus, { description: 'Derived from onDuty and the active assignment' })
  async status(@Root() crew: CrewView, @Ctx() ctx: Context): Promise<CrewStatus> {
    return crew.status ?? deriveCrewStatus(crew.onDuty, await ctx.loaders.leadingAssignmentByCrew.load(crew.id));
  }
}
