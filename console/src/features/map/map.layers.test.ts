import { describe, expect, it } from 'vitest';
import { densityGrid, LABEL_LIFT_PX, placeLabels, ReportClusters, spreadOverlaps, type MapItem, type MapPoint } from './map.layers.ts';

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
  const label = (code: string, x: number, y: number, width = 40, movable = true) => ({ code, x, y, width, height: 14, movable });
  const up = { dx: 0, dy: -(LABEL_LIFT_PX + 7) };

  it('puts every name above its centre when nothing is in the way', () => {
    const placed = placeLabels([label('A', 0, 0), label('B', 100, 0), label('C', 0, 80)]);
    expect(Object.fromEntries(placed)).toEqual({ A: up, B: up, C: up });
  });

  it('moves a name below its centre when a cluster sits above it, and beside it when both are taken', () => {
    const cluster = { x: 0, y: -19, width: 20, height: 20 };
    expect(placeLabels([label('DAMMAM', 0, 0)], [cluster]).get('DAMMAM')).toEqual({ dx: 0, dy: LABEL_LIFT_PX + 7 });
    const below = { x: 0, y: 19, width: 20, height: 20 };
    expect(placeLabels([label('DAMMAM', 0, 0)], [cluster, below]).get('DAMMAM')).toEqual({ dx: LABEL_LIFT_PX + 20, dy: 0 });
  });

  it('keeps a name above markers that surround it on every side rather than hiding it', () => {
    const everywhere = [{ x: 0, y: 0, width: 200, height: 200 }];
    expect(placeLabels([label('KHOBAR', 0, 0)], everywhere).get('KHOBAR')).toEqual(up);
  });

  it('moves or drops a name that would print over an earlier one, the earlier winning', () => {
    const placed = placeLabels([label('DAMMAM', 100, 100, 50), label('SAIHAT', 110, 100), label('KHOBAR', 200, 100)]);
    expect(placed.get('DAMMAM')).toEqual(up);
    expect(placed.get('SAIHAT')).toEqual({ dx: 0, dy: LABEL_LIFT_PX + 7 });
    expect(placed.get('KHOBAR')).toEqual(up);
    const crowded = placeLabels([label('A', 0, 0, 40, false), label('B', 5, 2, 40, false)]);
    expect([...crowded.keys()]).toEqual(['A']);
  });

  it('keeps a district name on its district', () => {
    expect(placeLabels([label('AL_OLAYA', 10, 10, 40, false)], [{ x: 10, y: 10, width: 10, height: 10 }]).get('AL_OLAYA')).toEqual({ dx: 0, dy: 0 });
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

describe('crews parked on one spot', () => {
  const at = (offsets: Map<string, { dx: number; dy: number }>, points: Array<{ id: string; x: number; y: number }>) =>
    points.map((p) => ({ x: p.x + offsets.get(p.id)!.dx, y: p.y + offsets.get(p.id)!.dy }));

  it('leaves a crew alone where it is', () => {
    const points = [
      { id: 'a', x: 0, y: 0 },
      { id: 'b', x: 100, y: 0 },
    ];
    expect(Object.fromEntries(spreadOverlaps(points, 18))).toEqual({ a: { dx: 0, dy: 0 }, b: { dx: 0, dy: 0 } });
  });

  it('fans out crews on top of each other so that no two overlap', () => {
    const points = Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, x: 50 + (i % 2), y: 50 }));
    const placed = at(spreadOverlaps(points, 18), points);
    for (let i = 0; i < placed.length; i += 1) {
      for (let j = i + 1; j < placed.length; j += 1) {
        const apart = Math.hypot(placed[i]!.x - placed[j]!.x, placed[i]!.y - placed[j]!.y);
        expect(apart).toBeGreaterThanOrEqual(17.9);
      }
    }
    for (const p of placed) expect(Math.hypot(p.x - 50.5, p.y - 50)).toBeLessThan(30);
  });
});
