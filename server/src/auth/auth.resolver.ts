import { OPERATIONS } from '../access/access.policy.js';
import { Authorized, Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../access/access.context.js';
import { CrewView } from '../crews/crews.types.js';
import { toViewerView } from './auth.mapper.js';
import { LoginPayload, ViewerView } from './auth.types.js';
import { requireViewer } from '../access/access.viewer.js';

@Resolver(() => ViewerView)
export class AuthResolver {
  @Authorized(...OPERATIONS.me)
  @Query(() => ViewerView, { description: 'The caller' })
  me(@Ctx() ctx: Context): ViewerView {
    return toViewerView(requireViewer(ctx.viewer));
  }

  @Mutation(() => LoginPayload, {
    description:
      'Sign in with a username and password. Attempts are counted per user name and client address and per client address (by default ten and a hundred in five minutes); past either, RATE_LIMITED with retryAfterSeconds, and the password is not checked',
  })
  async login(
    @Arg('username', () => String, { description: 'The user name, case-insensitive' }) username: string,
    @Arg('password', () => String, { description: 'The password' }) password: string,
    @Ctx() ctx: Context,
  ): Promise<LoginPayload> {
    const result = await ctx.services.auth.login(ctx.em, username, password, ctx.clientAddress ?? 'unknown');
    return { token: result.token, expiresAt: result.expiresAt, viewer: toViewerView(result.viewer) };
  }

  @Authorized(...OPERATIONS.renewToken)
  @Mutation(() => LoginPayload, { description: "Renew the caller's session for another shift; the old token stops working at once" })
  async renewToken(@Ctx() ctx: Context): Promise<LoginPayload> {
    const result = await ctx.services.auth.renew(ctx.em, requireViewer(ctx.viewer));
    return { token: result.token, expiresAt: result.expiresAt, viewer: toViewerView(result.viewer) };
  }

  @Authorized(...OPERATIONS.logout)
  @Mutation(() => Boolean, { description: "Sign out: the caller's token stops working at once" })
  logout(@Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.logout(ctx.em, requireViewer(ctx.viewer));
  }

  @FieldResolver(() => CrewView, { nullable: true, description: "The caller's crew, for a crew's user" })
  async crew(@Root() viewer: ViewerView, @Ctx() ctx: Context): Promise<CrewView | null> {
    if (!viewer.crewId) return null;
    return (await ctx.loaders.crew.load(viewer.crewId)) ?? null;
  }
}
