import { describe, expect, it } from 'vitest';
import { reportsFilterOf } from '../../test/documents.ts';
import { OpenReportsPageQuery } from './dispatch.operations.ts';

describe('the open queue query', () => {
  it('asks the server for its open work (Report.open), naming no statuses of its own', () => {
    expect(reportsFilterOf(OpenReportsPageQuery)).toEqual({ open: true });
  });
});
