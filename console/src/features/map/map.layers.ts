import Supercluster from 'supercluster';
import { PRIORITY_COLORS } from './map.config.ts';

/** The legend's order, most urgent first: a cluster shows the most urgent priority among its reports. */
const PRIORITY_RANK = new Map(Object.keys(PRIORITY_COLORS).map((priority, rank) => [priority, rank]));
const RANKED = [...PRIORITY_RANK.keys()];

/** What the map needs of a report to place and cluster it. */
export interface MapPoint {
  id: string;
  lat: number;
  lng: number;
  priority: string;
}

/** What is drawn for the current view: a cluster (its count and most urgent priority) or a single report. */
export type MapItem = { kind: 'cluster'; clusterId: number; lat: number; lng: number; count: number; top: string } | { kind: 'report'; id: string; lat: number; lng: number };

/** How reports group: within 50 px of each other, until zoom 16 (street level), where every report stands alone. */
export const CLUSTER_OPTIONS = { radius: 50, maxZoom: 16, minPoints: 2 } as const;

/** The reports indexed for clustering at every zoom (supercluster: one load, then each view is a cheap lookup). */
export class ReportClusters {
  private readonly index = new Supercluster<{ id: string; rank: number }, { rank: number }>({
    ...CLUSTER_OPTIONS,
    map: (props) => ({ rank: props.rank }),
    reduce: (acc, props) => {
      acc.rank = Math.min(acc.rank, props.rank);
    },
  });

  constructor(points: readonly MapPoint[]) {
    this.index.load(
      points.map((p) => ({
        type: 'Feature' as const,
        properties: { id: p.id, rank: PRIORITY_RANK.get(p.priority) ?? RANKED.length },
        geometry: { type: 'Point' as const, coordinates: [p.lng, p.lat] },
      })),
    );
  }

  /** What to draw in `bounds` ([west, south, east, north]) at `zoom`. */
  items(bounds: [number, number, number, number], zoom: number): MapItem[] {
    return this.index.getClusters(bounds, Math.floor(zoom)).map((feature): MapItem => {
      const [lng, lat] = feature.geometry.coordinates as [number, number];
      const props = feature.properties;
      if ('cluster' in props && props.cluster) {
        return { kind: 'cluster', clusterId: props.cluster_id, lat, lng, count: props.point_count, top: RANKED[props.rank] ?? 'LOW' };
      }
      return { kind: 'report', id: (props as { id: string }).id, lat, lng };
    });
  }

  /** The zoom at which a cluster splits into smaller ones: where a click on it goes. */
  expansionZoom(clusterId: number): number {
    return this.index.getClusterExpansionZoom(clusterId);
  }
}

/** A label's box on screen, in pixels, centred on (x, y). */
export interface LabelBox {
  code: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The labels that fit without overlapping, taken in the order given (the first wins a collision), with
 * `gap` pixels kept clear around each: at province zoom the metropolitan municipalities' names would
 * otherwise print over each other.
 */
export function visibleLabels(boxes: readonly LabelBox[], gap = 4): Set<string> {
  const kept: LabelBox[] = [];
  for (const box of boxes) {
    const clear = kept.every((k) => Math.abs(k.x - box.x) * 2 >= k.width + box.width + gap * 2 || Math.abs(k.y - box.y) * 2 >= k.height + box.height + gap * 2);
    if (clear) kept.push(box);
  }
  return new Set(kept.map((k) => k.code));
}

/** One square of the density view, in the map's pixel space at one zoom: its column, row and how many reports fall in it. */
export interface DensityCell {
  col: number;
  row: number;
  count: number;
}

/** Counts points (pixel coordinates at the current zoom) per `cellPx` square: the density view's grid, busiest first. */
export function densityGrid(points: ReadonlyArray<{ x: number; y: number }>, cellPx: number): DensityCell[] {
  const cells = new Map<string, DensityCell>();
  for (const point of points) {
    const col = Math.floor(point.x / cellPx);
    const row = Math.floor(point.y / cellPx);
    const key = `${col}:${row}`;
    const cell = cells.get(key);
    if (cell) cell.count += 1;
    else cells.set(key, { col, row, count: 1 });
  }
  return [...cells.values()].sort((a, b) => b.count - a.count || a.row - b.row || a.col - b.col);
}
