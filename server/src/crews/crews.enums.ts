import { registerEnumType } from 'type-graphql';

export enum CrewStatus {
  OFF_DUTY = 'OFF_DUTY',
  AVAILABLE = 'AVAILABLE',
  ASSIGNED = 'ASSIGNED',
  EN_ROUTE = 'EN_ROUTE',
  ON_SITE = 'ON_SITE',
}

registerEnumType(CrewStatus, { name: 'CrewStatus', description: 'Derived from the duty flag and the active assignment' });
