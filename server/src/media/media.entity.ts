import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Assignment } from '../assignments/assignments.entity.js';
import { Report } from '../reports/reports.entity.js';
import { MediaKind, MediaPurpose } from './media.enums.js';

/**
 * A photo or voice note. Its bytes live in the media store under keys derived from `sha256` (content
 * addressed); this row says what they are, who uploaded them, and what they are attached to. One uploader
 * uploading the same bytes twice gets this same row (unique uploader and hash). Unattached rows older than
 * MEDIA_UNATTACHED_HOURS are deleted with their files by the maintenance job.
 */
@Entity({ tableName: 'media' })
@Unique({ properties: ['uploadedBy', 'sha256'] })
@Index({ properties: ['report'] })
@Index({ properties: ['assignment'] })
export class Media {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Enum({ items: () => MediaKind, type: 'string' })
  kind!: MediaKind;

  /** Set when attached: REPORT (with or after filing) or AFTER_WORK (the crew's completion). */
  @Enum({ items: () => MediaPurpose, type: 'string', nullable: true })
  purpose?: MediaPurpose | null;

  /** The type sniffed from the bytes, served with the original. */
  @Property({ type: 'string', length: 60 })
  contentType!: string;

  /** The type of a photo's display copy and thumbnail (null for voice). */
  @Property({ type: 'string', length: 60, nullable: true })
  displayType?: string | null;

  @Property({ type: 'integer' })
  bytes!: number;

  @Property({ type: 'string', length: 64 })
  sha256!: string;

  @Property({ type: 'integer', nullable: true })
  width?: number | null;

  @Property({ type: 'integer', nullable: true })
  height?: number | null;

  @Property({ type: 'double', nullable: true })
  durationSeconds?: number | null;

  /** The uploader's principal (`user:<id>` or `key:<id>`), as reports' `submittedBy`. */
  @Property({ type: 'string', length: 80 })
  uploadedBy!: string;

  @Property({ type: 'datetime' })
  uploadedAt: Date = new Date();

  @ManyToOne(() => Report, { fieldName: 'report_id', nullable: true })
  report?: Report | null;

  /** The crew's assignment, for its after-photos (the report is set too). */
  @ManyToOne(() => Assignment, { fieldName: 'assignment_id', nullable: true })
  assignment?: Assignment | null;

  @Property({ type: 'datetime', nullable: true })
  attachedAt?: Date | null;
}
