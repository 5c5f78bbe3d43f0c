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

/** A box on screen, in pixels, centred on (x, y). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A label to place: its anchor (x, y: the place it names) and its size. */
export interface LabelBox extends Box {
  code: string;
  /** Whether it may move off its anchor (a municipality's name does; a district's sits in the district). */
  movable: boolean;
}

/** Where a label's centre sits relative to its anchor. */
export interface Offset {
  dx: number;
  dy: number;
}

/** Pixels between a municipality's centre and its name. */
export const LABEL_LIFT_PX = 12;

/** Where a movable label may go, in order: above its anchor, below, beside it on either side, then the corners; then all of these twice as far out. */
function offsets(label: LabelBox): Offset[] {
  if (!label.movable) return [{ dx: 0, dy: 0 }];
  const spots: Offset[] = [];
  for (const reach of [1, 2.5]) {
    const up = LABEL_LIFT_PX * reach + label.height / 2;
    const side = LABEL_LIFT_PX * reach + label.width / 2;
    spots.push({ dx: 0, dy: -up }, { dx: 0, dy: up }, { dx: side, dy: 0 }, { dx: -side, dy: 0 }, { dx: side, dy: -up }, { dx: -side, dy: -up }, { dx: side, dy: up }, { dx: -side, dy: up });
  }
  return spots;
}

function overlaps(a: Box, b: Box, gap: number): boolean {
  return Math.abs(a.x - b.x) * 2 < a.width + b.width + gap * 2 && Math.abs(a.y - b.y) * 2 < a.height + b.height + gap * 2;
}

/**
 * Places labels, taken in the order given (the first wins a collision): each goes to the first spot around its
 * anchor (`offsets`) that neither another label nor a marker (`obstacles`: clusters, reports, crews) covers; if every spot
 * has a marker, to the first free of other labels (labels are drawn above markers, so the name still reads);
 * if none is free of other labels, it is hidden. At province zoom the metropolitan municipalities' names would
 * otherwise print over each other, and a cluster at a municipality's centre over its name.
 */
export function placeLabels(labels: readonly LabelBox[], obstacles: readonly Box[] = [], gap = 3): Map<string, Offset> {
  const kept: Box[] = [];
  const placed = new Map<string, Offset>();
  for (const label of labels) {
    const spots = offsets(label).map((offset) => ({ offset, box: { x: label.x + offset.dx, y: label.y + offset.dy, width: label.width, height: label.height } }));
    const free = spots.filter((spot) => !kept.some((k) => overlaps(k, spot.box, gap)));
    const best = free.find((spot) => !obstacles.some((o) => overlaps(o, spot.box, 0))) ?? free[0];
    if (!best) continue;
    kept.push(best.box);
    placed.set(label.code, best.offset);
  }
  return placed;
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

/**
 * Offsets that fan out markers sitting on each other (crews parked at one depot): markers within `size` pixels of
 * a group's first are put on a ring around their common centre, far enough apart that each can be seen and
 * clicked; a marker alone keeps its place. Points are pixel positions at the current zoom.
 */
export function spreadOverlaps(points: ReadonlyArray<{ id: string; x: number; y: number }>, size: number): Map<string, Offset> {
  const groups: Array<Array<{ id: string; x: number; y: number }>> = [];
  for (const point of points) {
    const group = groups.find(([first]) => Math.abs(first!.x - point.x) < size && Math.abs(first!.y - point.y) < size);
    if (group) group.push(point);
    else groups.push([point]);
  }
  const offsets = new Map<string, Offset>();
  for (const group of groups) {
    if (group.length === 1) {
      offsets.set(group[0]!.id, { dx: 0, dy: 0 });
      continue;
    }
    const cx = group.reduce((sum, p) => sum + p.x, 0) / group.length;
    const cy = group.reduce((sum, p) => sum + p.y, 0) / group.length;
    const radius = Math.max(size, (group.length * size) / (2 * Math.PI));
    group.forEach((point, k) => {
      const angle = (2 * Math.PI * k) / group.length - Math.PI / 2;
      offsets.set(point.id, { dx: cx + radius * Math.cos(angle) - point.x, dy: cy + radius * Math.sin(angle) - point.y });
    });
  }
  return offsets;
}
