import { Migration20261123000000Initial } from './Migration20261123000000Initial.js';
import { Migration20261123010000Events } from './Migration20261123010000Events.js';
import { Migration20261123020000CrewLeadingAssignment } from './Migration20261123020000CrewLeadingAssignment.js';
import { Migration20261201000000LoginThrottle } from './Migration20261201000000LoginThrottle.js';
import { Migration20261201010000SearchIndex } from './Migration20261201010000SearchIndex.js';
import { Migration20261202000000EventCrews } from './Migration20261202000000EventCrews.js';
import { Migration20261202010000Media } from './Migration20261202010000Media.js';
import { Migration20261202020000FollowUps } from './Migration20261202020000FollowUps.js';
import { Migration20261202030000FollowUpClaimedBy } from './Migration20261202030000FollowUpClaimedBy.js';

/**
 * Every committed migration, in order. Listed rather than globbed so the compiled server and the test
 * runner see the same set; `npm run migration:create` writes a new file here and it is added below.
 */
export const migrations = [
  { name: 'Migration20261123000000Initial', class: Migration20261123000000Initial },
  { name: 'Migration20261123010000Events', class: Migration20261123010000Events },
  { name: 'Migration20261123020000CrewLeadingAssignment', class: Migration20261123020000CrewLeadingAssignment },
  { name: 'Migration20261201000000LoginThrottle', class: Migration20261201000000LoginThrottle },
  { name: 'Migration20261201010000SearchIndex', class: Migration20261201010000SearchIndex },
  { name: 'Migration20261202000000EventCrews', class: Migration20261202000000EventCrews },
  { name: 'Migration20261202010000Media', class: Migration20261202010000Media },
  { name: 'Migration20261202020000FollowUps', class: Migration20261202020000FollowUps },
  { name: 'Migration20261202030000FollowUpClaimedBy', class: Migration20261202030000FollowUpClaimedBy },
];
