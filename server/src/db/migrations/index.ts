import { Migration20261123000000Initial } from './Migration20261123000000Initial.js';
import { Migration20261123010000Events } from './Migration20261123010000Events.js';
import { Migration20261123020000CrewLeadingAssignment } from './Migration20261123020000CrewLeadingAssignment.js';
import { Migration20261201000000LoginThrottle } from './Migration20261201000000LoginThrottle.js';
import { Migration20261201010000SearchIndex } from './Migration20261201010000SearchIndex.js';
import { Migration20261202000000EventCrews } from './Migration20261202000000EventCrews.js';
import { Migration20261202010000Media } from './Migration20261202010000Media.js';
import { Migration20261202020000FollowUps } from './Migration20261202020000FollowUps.js';
import { Migration20261202030000FollowUpClaimedBy } from './Migration20261202030000FollowUpClaimedBy.js';
import { Migration20261203000000Archive } from './Migration20261203000000Archive.js';
import { Migration20261203010000Duplicates } from './Migration20261203010000Duplicates.js';
import { Migration20261203020000CrewOneJob } from './Migration20261203020000CrewOneJob.js';
import { Migration20261203030000CrewNamesTimelineParams } from './Migration20261203030000CrewNamesTimelineParams.js';
import { Migration20261203040000Presence } from './Migration20261203040000Presence.js';
import { Migration20261204000000Indicators } from './Migration20261204000000Indicators.js';
import { Migration20261205000000IndicatorHistogram } from './Migration20261205000000IndicatorHistogram.js';

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
  { name: 'Migration20261203000000Archive', class: Migration20261203000000Archive },
  { name: 'Migration20261203010000Duplicates', class: Migration20261203010000Duplicates },
  { name: 'Migration20261203020000CrewOneJob', class: Migration20261203020000CrewOneJob },
  { name: 'Migration20261203030000CrewNamesTimelineParams', class: Migration20261203030000CrewNamesTimelineParams },
  { name: 'Migration20261203040000Presence', class: Migration20261203040000Presence },
  { name: 'Migration20261204000000Indicators', class: Migration20261204000000Indicators },
  { name: 'Migration20261205000000IndicatorHistogram', class: Migration20261205000000IndicatorHistogram },
];
