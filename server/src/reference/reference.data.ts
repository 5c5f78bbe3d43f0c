import data from './eastern-province.json' with { type: 'json' };

/**
 * The province's reference data, shipped with the server (copied from shared/data/eastern-province.json):
 * what the reference seed inserts, and what sizes the reference lists for the cost rule.
 */
export const provinceData = data;
