import { Field, ID } from 'type-graphql';
import { ViewType } from '../common/view-type.js';
import { CrewView } from '../crews/crews.types.js';
import { Role } from '../access/access.roles.js';

@ViewType('Viewer', 'Who is calling: a signed-in user or an API key')
export class ViewerView {
  @Field(() => ID, { description: 'User or key id' })
  id!: string;

  @Field(() => String, { description: 'Username, or the API key name' })
  username!: string;

  @Field(() => Role, { description: 'What the caller may do' })
  role!: Role;

  @Field(() => CrewView, { nullable: true, description: "The caller's crew, for a crew's user" })
  crew?: CrewView | null;

  crewId!: string | null;
}

@ViewType('LoginPayload', 'A session for one shift')
export class LoginPayload {
  @Field(() => String, { description: 'Send as Authorization: Bearer <token>, and in connection_init on WebSockets' })
  token!: string;

  @Field(() => Date, { description: 'When the token stops working; sign in again before then' })
  expiresAt!: Date;

  @Field(() => ViewerView, { description: 'Who signed in' })
  viewer!: ViewerView;
}
