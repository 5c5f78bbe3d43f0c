import { describe, expect, it } from 'vitest';
import { toReportRow } from '../../domain/report.ts';
import { report } from '../../test/builders.ts';
import { pinUnacknowledged } from './pinned.ts';

describe('pinning unacknowledged CRITICAL reports', () => {
  it('puts unacknowledged CRITICAL reports first and keeps the server order within each part', () => {
    const acknowledged = toReportRow(report({ priority: 'CRITICAL', acknowledgedAt: '2026-03-01T08:01:00.000Z', queueKey: '0|a' }));
    const later = toReportRow(report({ priority: 'CRITICAL', queueKey: '0|b' }));
    const high = toReportRow(report({ priority: 'HIGH', queueKey: '1|a' }));
    const latest = toReportRow(report({ priority: 'CRITICAL', queueKey: '0|c' }));
    const rows = [acknowledged, later, latest, high];
    expect(pinUnacknowledged(rows).map((row) => row.id)).toEqual([later.id, latest.id, acknowledged.id, high.id]);
  });

  it('leaves a queue without unacknowledged CRITICAL reports as it is', () => {
    const rows = [toReportRow(report({ priority: 'HIGH' })), toReportRow(report({ priority: 'CRITICAL', acknowledgedAt: '2026-03-01T08:01:00.000Z' }))];
    expect(pinUnacknowledged(rows)).toBe(rows);
  });
});
