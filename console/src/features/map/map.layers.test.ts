import { describe, expect, it } from 'vitest';
import { densityGrid, ReportClusters, visibleLabels, type MapItem, type MapPoint } from './map.layers.ts';

const WORLD: [number, number, number, number] = [-180, -85, 180, 85];

/** `count` reports around a point, a few metres apart, all NORMAL but the ones listed. */
function around(prefix: string, lat: number, lng: number, count: number, priorities: Record<number, string> = {}): MapPoint[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, lat: lat + (i % 7) * 0.0004, lng: lng + Math.floor(i / 7) * 0.0004, priority: priorities[i] ?? 'NORMAL' }));
}

const clusters = (items: MapItem[]) => items.filter((i): i is Extract<MapItem, { kind: 'cluster' }> => i.kind === 'cluster');
const total = (items: MapItem[]) => items.reduce((sum, i) => sum + (i.kind === 'cluster' ? i.count : 1), 0);

describe('clustering the reports', () => {
  const khobar = around('k', 26.28, 50.2, 50, { 17: 'CRITICAL', 3: 'HIGH' });
  const dammam = around('d', 26.42, 50.09, 10, { 2: 'LOW' }).map((p) => ({ ...p, priority: p.priority === 'LOW' ? 'LOW' : 'HIGH' }));
  const jubail: MapPoint = { id: 'j', lat: 27.0, lng: 49.65, priority: 'LOW' };
  const index = new ReportClusters([...khobar, dammam[0]!, ...dammam.slice(1), jubail]);

  it('draws far fewer items than reports at province zoom, and accounts for every report', () => {
    const items = index.items(WORLD, 9);
    expect(items.length).toBeLessThan(10);
    expect(total(items)).toBe(61);
    expect(items).toContainEqual({ kind: 'report', id: 'j', lat: 27.0, lng: 49.65 });
  });

  it('shows the most urgent priority in a cluster, whatever the order of its reports', () => {
    const shown = clusters(index.items(WORLD, 9));
    expect(shown.find((c) => c.count === 50)?.top).toBe('CRITICAL');
    expect(shown.find((c) => c.count === 10)?.top).toBe('HIGH');
  });

  it('splits a cluster when zooming to its expansion zoom, down to single reports at street level', () => {
    const big = clusters(index.items(WORLD, 9)).find((c) => c.count === 50)!;
    const zoom = index.expansionZoom(big.clusterId);
    expect(zoom).toBeGreaterThan(9);
    const khobarBox: [number, number, number, number] = [50.19, 26.27, 50.21, 26.29];
    expect(index.items(khobarBox, zoom).length).toBeGreaterThan(1);
    const street = index.items(khobarBox, 17);
    expect(street.every((i) => i.kind === 'report')).toBe(true);
    expect(street).toHaveLength(50);
  });

  it('gives only what lies in the view', () => {
    const items = index.items([49.5, 26.9, 49.8, 27.1], 9);
    expect(items).toEqual([{ kind: 'report', id: 'j', lat: 27.0, lng: 49.65 }]);
  });
});

describe('municipality labels', () => {
  it('keeps every label that does not collide', () => {
    const shown = visibleLabels([
      { code: 'A', x: 0, y: 0, width: 40, height: 14 },
      { code: 'B', x: 100, y: 0, width: 40, height: 14 },
      { code: 'C', x: 0, y: 40, width: 40, height: 14 },
    ]);
    expect([...shown].sort()).toEqual(['A', 'B', 'C']);
  });

  it('drops a label that would print over an earlier one, the earlier winning', () => {
    const shown = visibleLabels([
      { code: 'DAMMAM', x: 100, y: 100, width: 50, height: 14 },
      { code: 'SAIHAT', x: 120, y: 108, width: 40, height: 14 },
      { code: 'KHOBAR', x: 160, y: 100, width: 40, height: 14 },
    ]);
    expect([...shown]).toEqual(['DAMMAM', 'KHOBAR']);
  });

  it('keeps a gap between labels', () => {
    expect(
      visibleLabels(
        [
          { code: 'A', x: 0, y: 0, width: 40, height: 10 },
          { code: 'B', x: 42, y: 0, width: 40, height: 10 },
        ],
        4,
      ).size,
    ).toBe(1);
    expect(
      visibleLabels(
        [
          { code: 'A', x: 0, y: 0, width: 40, height: 10 },
          { code: 'B', x: 48, y: 0, width: 40, height: 10 },
        ],
        4,
      ).size,
    ).toBe(2);
  });
});

describe('the density grid', () => {
  it('counts points per square, busiest first, and leaves empty squares out', () => {
    const cells = densityGrid(
      [
        { x: 1, y: 1 },
        { x: 39, y: 39 },
        { x: 41, y: 1 },
        { x: 5, y: 20 },
        { x: 200, y: 200 },
      ],
      40,
    );
    expect(cells).toEqual([
      { col: 0, row: 0, count: 3 },
      { col: 1, row: 0, count: 1 },
      { col: 5, row: 5, count: 1 },
    ]);
    expect(cells.reduce((sum, c) => sum + c.count, 0)).toBe(5);
  });

  it('is empty without points', () => {
    expect(densityGrid([], 40)).toEqual([]);
  });
});
