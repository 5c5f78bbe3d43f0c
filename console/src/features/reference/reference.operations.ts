import { graphql } from '../../graphql/graphql.ts';

/** Categories (with their routing and targets), municipalities and departments. */
export const ReferenceQuery = graphql(`
  query Reference {
    categories { code nameAr nameEn defaultPriority targetHours lifeSafety department { code } }
    municipalities { code nameAr nameEn lat lng }
    departments { code nameAr nameEn }
  }
`);
