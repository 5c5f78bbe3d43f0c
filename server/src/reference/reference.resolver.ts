import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { requireViewer } from '../auth/viewer.js';
import type { Context } from '../common/context.js';
import { toCategoryView, toDepartmentView, toMunicipalityView } from './reference.mapper.js';
import { CategoryView, DepartmentView, MunicipalityView } from './reference.types.js';

@Resolver(() => CategoryView)
export class ReferenceResolver {
  @Query(() => [CategoryView], { description: 'Every category, most urgent target first' })
  async categories(@Ctx() ctx: Context): Promise<CategoryView[]> {
    requireViewer(ctx.viewer);
    return (await ctx.services.reference.categories(ctx.em)).map(toCategoryView);
  }

  @Query(() => [MunicipalityView], { description: 'Every municipality of the province' })
  async municipalities(@Ctx() ctx: Context): Promise<MunicipalityView[]> {
    requireViewer(ctx.viewer);
    return (await ctx.services.reference.municipalities(ctx.em)).map(toMunicipalityView);
  }

  @Query(() => [DepartmentView], { description: 'Every department' })
  async departments(@Ctx() ctx: Context): Promise<DepartmentView[]> {
    requireViewer(ctx.viewer);
    return (await ctx.services.reference.departments(ctx.em)).map(toDepartmentView);
  }

  @FieldResolver(() => DepartmentView, { description: 'The department whose crews handle it' })
  async department(@Root() category: CategoryView, @Ctx() ctx: Context): Promise<DepartmentView> {
    const department = await ctx.loaders.department.load(category.departmentCode);
    if (!department) throw new Error(`department ${category.departmentCode} missing`);
    return toDepartmentView(department);
  }
}
