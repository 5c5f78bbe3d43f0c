import { registerEnumType } from 'type-graphql';

/** Who may do what: see DESIGN.md "Roles". INTAKE and INTEGRATOR are API keys, the rest are users. */
export enum Role {
  DISPATCHER = 'DISPATCHER',
  SUPERVISOR = 'SUPERVISOR',
  CREW = 'CREW',
  INTAKE = 'INTAKE',
  INTEGRATOR = 'INTEGRATOR',
}

/** Roles that run the center: read everything, dispatch, decide. */
export const STAFF_ROLES: readonly Role[] = [Role.DISPATCHER, Role.SUPERVISOR];

registerEnumType(Role, { name: 'Role', description: 'What a signed-in user or an API key may do' });
