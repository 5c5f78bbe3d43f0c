import { OPERATIONS } from '../access/access.policy.js';
import { Authorized, Ctx, Extensions, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../access/access.context.js';
import type { CostExtensions } from '../common/limits.js';
import { provinceData } from './reference.data.js';
import { toCategoryView, toDepartmentView, toMunicipalityView } from './reference.mapper.js';
import { CategoryView, DepartmentView, MunicipalityView } from './reference.types.js';

/** The cost rule counts each reference list as the rows the reference data seeds (no mutation adds any). */
const listOf = (rows: readonly unknown[]): CostExtensions => ({ maxItems: rows.length });

@Resolver(() => CategoryView)
export class ReferenceResolver {
  @Authorized(...OPERATIONS.categories)
  @Extensions(listOf(provinceData.categories))
  @Query(() => [CategoryView], { description: 'Every category, most urgent target first' })
  async categories(@Ctx() ctx: Context): Promise<CategoryView[]> {
    return (await ctx.services.reference.categories(ctx.em)).map(toCategoryView);
  }

  @Authorized(...OPERATIONS.municipalities)
  @Extensions(listOf(provinceData.municipalities))
  @Query(() => [MunicipalityView], { description: 'Every municipality of the province' })
  async municipalities(@Ctx() ctx: Context): Promise<MunicipalityView[]> {
    return (await ctx.services.reference.municipalities(ctx.em)).map(toMunicipalityView);
  }

  @Authorized(...OPERATIONS.departments)
  @Extensions(listOf(provinceData.departments))
  @Query(() => [DepartmentView], { description: 'Every department' })
  async departments(@Ctx() ctx: Context): Promise<DepartmentView[]> {
    return (await ctx.services.reference.departments(ctx.em)).map(toDepartmentView);
  }

  @FieldResolver(() => DepartmentView, { description: 'The department whose crews handle it' })
  async department(@Root() category: CategoryView, @Ctx() ctx: Context): Promise<DepartmentView> {
    const department = await ctx.loaders.department.load(category.departmentCode);
    if (!department) throw new Error(`department ${category.departmentCode} missing`);
    return toDepartmentView(department);
  }
}
