import { graphql, type ResultOf } from '../../graphql/graphql.ts';

/**
 * A photo or voice note as the views show it, with its signed links (short-lived: a view refetches its
 * report for fresh ones rather than keeping them). `purpose` tells the reporter's photos (REPORT) from the
 * crew's after-photos (AFTER_WORK).
 */
export const MediaFields = graphql(`
  fragment MediaFields on Media {
    id
    kind
    purpose
    contentType
    width
    height
    durationSeconds
    uploadedAt
    url
    thumbnailUrl
    originalUrl
  }
`);

/** One photo or voice note as the views show it. */
export type MediaItem = ResultOf<typeof MediaFields>;

/** Adds photos or a voice note uploaded with POST /media to a report (staff; the report must allow ATTACH_MEDIA). */
export const AttachMediaMutation = graphql(`
  mutation AttachMedia($reportId: ID!, $mediaIds: [ID!]!) {
    attachMedia(reportId: $reportId, mediaIds: $mediaIds) { id version }
  }
`);
