import { registerEnumType } from 'type-graphql';

export enum CrewStatus {
  OFF_DUTY = 'OFF_DUTY',
  AVAILABLE = 'AVAILABLE',
  ASSIGNED = 'ASSIGNED',
  EN_ROUTE = 'EN_ROUTE',
  ON_SITE = 'ON_SITE',
}

registerEnumType(CrewStatus, {
  name: 'CrewStatus',
  description: 'Derived from the duty flag and the active assignment',
  valuesConfig: {
    OFF_DUTY: { description: 'Not on duty' },
    AVAILABLE: { description: 'On duty with no active assignment' },
    ASSIGNED: { description: 'Has a pending or accepted assignment' },
    EN_ROUTE: { description: 'On its way to an assignment' },
    ON_SITE: { description: 'At the place of an assignment' },
  },
});
