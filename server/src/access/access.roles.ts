import { registerEnumType } from 'type-graphql';

/** Who may do what: see DESIGN.md "Roles". INTAKE and INTEGRATOR are API keys, the rest are users. */
export enum Role {
  DISPATCHER = 'DISPATCHER',
  SUPERVISOR = 'SUPERVISOR',
  CREW = 'CREW',
  INTAKE = 'INTAKE',
  INTEGRATOR = 'INTEGRATOR',
  AGENT = 'AGENT',
}

/** Roles that run the center: read everything, dispatch, decide. */
export const STAFF_ROLES: readonly Role[] = [Role.DISPATCHER, Role.SUPERVISOR];

/** Roles of signed-in users (with a password and sessions). */
export const USER_ROLES: readonly Role[] = [...STAFF_ROLES, Role.CREW, Role.AGENT];

/** Roles of API keys (gateways and integrators: no session). */
export const KEY_ROLES: readonly Role[] = [Role.INTAKE, Role.INTEGRATOR];

registerEnumType(Role, {
  name: 'Role',
  description: 'What a signed-in user or an API key may do',
  valuesConfig: {
    DISPATCHER: { description: 'The 940 center: reads everything, files calls, triages, assigns, closes, rejects and merges' },
    SUPERVISOR: { description: 'All a dispatcher may, plus users, categories and targets' },
    CREW: { description: "A field crew's phone: its own assignments and location only" },
    INTAKE: { description: 'A gateway key (app, WhatsApp): files reports and reads what it filed' },
    INTEGRATOR: { description: 'A read-only key for dashboards and agencies; reporter name and phone masked' },
    AGENT: { description: 'The satisfaction center: follow-up calls after resolution, inquiries and callers; reads reports with the reporter (to call them), assigns no crew' },
  },
});
