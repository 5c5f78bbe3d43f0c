import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import './map.css';
import type { CrewRow } from '../../domain/crew.ts';
import type { ReportRow } from '../../domain/report.ts';
import { formatKm, formatNumber, type Locale } from '../../format/format.ts';
import { CREW_COLORS, PRIORITY_COLORS, PROVINCE_CENTER } from './map.config.ts';
import { placeAt, PROVINCE, type Place, type Position, type Rings } from './map.geo.ts';
import { densityGrid, placeLabels, ReportClusters, spreadOverlaps, type Box, type LabelBox, type MapItem } from './map.layers.ts';

/** A named place drawn as a label: a municipality at its centre, or a district. */
export interface Landmark {
  code: string;
  name: string;
  lat: number;
  lng: number;
}

/** The words the map shows, in the console's language (the map itself holds no strings). */
export interface MapTexts {
  zoomIn: string;
  zoomOut: string;
  /** A report marker's tooltip after its reference, e.g. the priority's name. */
  reportLabel(row: ReportRow): string;
  /** A cluster's tooltip: how many reports and the most urgent priority among them. */
  clusterLabel(count: number, topPriority: string): string;
  /** A density square's tooltip. */
  densityLabel(count: number): string;
}

interface BaseOptions {
  tileUrl: string | null;
  /** Municipality labels: when two would overlap, the one with more reports (then the earlier one) is shown. */
  landmarks: readonly Landmark[];
  locale: Locale;
  texts?: Pick<MapTexts, 'zoomIn' | 'zoomOut'>;
  /** District labels at street zoom, names in the console's language. */
  districts?: boolean;
}

/** Pixels per side of a density square. */
const DENSITY_CELL_PX = 40;
/** How far apart, in pixels, crews' squares sit at the least when several share one spot. */
const CREW_SPACING_PX = 18;
/** From this zoom on, district outlines and names show. */
const DISTRICT_ZOOM = 12;

const direction = (locale: Locale): 'rtl' | 'ltr' => (locale === 'ar' ? 'rtl' : 'ltr');
const latLngs = (rings: Rings): L.LatLngExpression[][] => rings.map((ring) => ring.map(([lng, lat]: Position) => [lat, lng] as L.LatLngTuple));

/** A text element in the console's reading direction: tooltips and labels sit inside Leaflet's own (left-to-right) markup. */
function textElement(tag: string, className: string, text: string, locale: Locale): HTMLElement {
  const element = document.createElement(tag);
  element.className = className;
  element.dir = direction(locale);
  element.textContent = text;
  return element;
}

/** The scale bar's distance in the console's language and digits ("2 كم", "0.5 km"). */
function localScale(locale: Locale, position: L.ControlPosition): L.Control.Scale {
  const Scale = L.Control.Scale.extend({
    _updateMetric(this: { options: L.Control.ScaleOptions; _mScale: HTMLElement; _getRoundNum(n: number): number }, maxMeters: number) {
      const meters = this._getRoundNum(maxMeters);
      this._mScale.style.width = `${Math.round((this.options.maxWidth ?? 100) * (meters / maxMeters))}px`;
      this._mScale.textContent = formatKm(meters / 1000, locale);
      this._mScale.dir = direction(locale);
    },
  }) as unknown as new (options: L.Control.ScaleOptions) => L.Control.Scale;
  return new Scale({ imperial: false, position });
}

/**
 * A Leaflet map on the canvas renderer (thousands of markers stay smooth) over the province's own outline:
 * the sea and coastline, the municipality areas and, close up, the districts, all from the GeoJSON shipped with
 * the console, so the map orients a person with no tile server at all (no internet); with a tile URL the same
 * layers lie over the tiles. Controls sit on the reading side: zoom at the start corner, the scale at the
 * bottom start, the attribution at the bottom end.
 */
function baseMap(element: HTMLElement, options: BaseOptions, zoom: number): { map: L.Map; renderer: L.Canvas; labels: Labels } {
  const rtl = options.locale === 'ar';
  const map = L.map(element, { preferCanvas: true, zoomControl: false, attributionControl: false, zoomSnap: 0.5 });
  L.control.zoom({ position: rtl ? 'topright' : 'topleft', zoomInTitle: options.texts?.zoomIn, zoomOutTitle: options.texts?.zoomOut }).addTo(map);
  if (options.tileUrl) L.control.attribution({ position: rtl ? 'bottomleft' : 'bottomright' }).addTo(map);
  const renderer = L.canvas({ padding: 0.3 });
  map.setView([PROVINCE_CENTER.lat, PROVINCE_CENTER.lng], zoom);
  // The page sends no Referer off-site (Referrer-Policy: same-origin); tile servers such as OpenStreetMap's require one, so tiles send the origin.
  if (options.tileUrl) L.tileLayer(options.tileUrl, { maxZoom: 19, referrerPolicy: 'strict-origin' }).addTo(map);
  else element.classList.add('map-plain');
  drawProvince(map, Boolean(options.tileUrl));
  const labels = drawLabels(map, options);
  localScale(options.locale, rtl ? 'bottomright' : 'bottomleft').addTo(map);
  return { map, renderer, labels };
}

/** The sea over the municipality areas (their cells run offshore; the sea gives them their shore), then the coastline. */
function drawProvince(map: L.Map, tiles: boolean): void {
  const pane = map.createPane('geography');
  pane.style.zIndex = '250';
  pane.style.pointerEvents = 'none';
  const renderer = L.canvas({ pane: 'geography', padding: 0.3 });
  const common = { renderer, pane: 'geography', interactive: false };
  const land = tiles ? { fillColor: '#5b4bd6', fillOpacity: 0.04, color: '#5b4bd6', opacity: 0.45 } : { fillColor: '#f7f4ec', fillOpacity: 1, color: '#b3a98f', opacity: 0.9 };
  for (const municipality of PROVINCE.municipalities) L.polygon(latLngs(municipality.rings), { ...common, ...land, weight: 1 }).addTo(map);
  const districts = L.layerGroup(PROVINCE.districts.map((d) => L.polygon(latLngs(d.rings), { ...common, color: '#8a7f6a', weight: 1, dashArray: '3 3', fill: false })));
  L.polygon(latLngs(PROVINCE.sea), { ...common, stroke: false, fillColor: tiles ? '#aad3df' : '#cfe2ee', fillOpacity: tiles ? 0.85 : 1 }).addTo(map);
  L.polyline(
    PROVINCE.coastline.map((line) => line.map(([lng, lat]) => [lat, lng] as L.LatLngTuple)),
    { ...common, color: '#7da3bf', weight: 1.2 },
  ).addTo(map);
  const showDistricts = () => {
    if (map.getZoom() >= DISTRICT_ZOOM) districts.addTo(map);
    else districts.remove();
  };
  map.on('zoomend', showDistricts);
  showDistricts();
}

interface Labels {
  /** Puts the municipalities with more reports first when names collide (from the next placing on). */
  weigh(reports: ReadonlyArray<{ municipalityCode: string }>): void;
  /** Places the names again around what is drawn now (`obstacles`: the markers' boxes on screen). */
  place(): void;
  /** Where the markers are on screen, for the names to keep clear of. */
  avoid(obstacles: () => Box[]): void;
}

/**
 * Municipality names (and districts' close up) in their own pane above the markers, so no marker covers a
 * name; each name takes the first spot around its centre (above, below, beside) clear of markers and other
 * names, and names that find none free of other names are hidden, the more important one kept. The pane takes
 * no pointer events, so a marker under a name is still clickable.
 */
function drawLabels(map: L.Map, options: BaseOptions): Labels {
  const pane = map.createPane('labels');
  pane.style.zIndex = '620';
  pane.style.pointerEvents = 'none';
  let labels: Array<{ code: string; marker: L.Marker; text: HTMLElement; minZoom: number; order: number }> = [];
  let obstacles: () => Box[] = () => [];
  const add = (code: string, name: string, lat: number, lng: number, className: string, minZoom: number) => {
    const text = textElement('span', className, name, options.locale);
    const marker = L.marker([lat, lng], { pane: 'labels', interactive: false, keyboard: false, icon: L.divIcon({ className: 'map-label-icon', html: text, iconSize: [0, 0] }) });
    labels.push({ code, marker, text, minZoom, order: labels.length });
  };
  for (const landmark of options.landmarks) add(landmark.code, landmark.name, landmark.lat, landmark.lng, 'map-label', 0);
  if (options.districts) {
    for (const district of PROVINCE.districts) {
      const [outline] = district.rings;
      if (!outline) continue;
      const lat = outline.reduce((sum, p) => sum + p[1], 0) / outline.length;
      const lng = outline.reduce((sum, p) => sum + p[0], 0) / outline.length;
      add(district.code, options.locale === 'ar' ? district.nameAr : district.nameEn, lat, lng, 'map-label district', DISTRICT_ZOOM);
    }
  }
  const place = () => {
    const zoom = map.getZoom();
    const boxes: LabelBox[] = [];
    for (const label of labels) {
      if (zoom < label.minZoom) {
        label.marker.remove();
        continue;
      }
      label.marker.addTo(map);
      const at = map.latLngToContainerPoint(label.marker.getLatLng());
      boxes.push({ code: label.code, x: at.x, y: at.y, width: label.text.offsetWidth, height: label.text.offsetHeight, movable: label.minZoom === 0 });
    }
    const placed = placeLabels(boxes, obstacles());
    for (const label of labels) {
      const offset = placed.get(label.code);
      label.text.classList.toggle('hidden', !offset);
      if (offset) label.text.style.transform = `translate(calc(-50% + ${offset.dx}px), calc(-50% + ${offset.dy}px))`;
    }
  };
  map.on('zoomend', place);
  map.whenReady(place);
  return {
    weigh(reports) {
      const counts = new Map<string, number>();
      for (const report of reports) counts.set(report.municipalityCode, (counts.get(report.municipalityCode) ?? 0) + 1);
      labels = labels
        .map((label) => ({ label, weight: label.minZoom > 0 ? -1 : (counts.get(label.code) ?? 0) }))
        .sort((a, b) => b.weight - a.weight || a.label.order - b.label.order)
        .map((entry) => entry.label);
    },
    place,
    avoid(next) {
      obstacles = next;
    },
  };
}

/**
 * Where most of the work is: the reports' bounding box without the outer tenth on each side, so a few
 * far-off villages do not shrink the metropolitan area, where most reports are, to a dot.
 */
function busiestBounds(reports: readonly ReportRow[]): L.LatLngBounds {
  const lats = reports.map((r) => r.lat).sort((a, b) => a - b);
  const lngs = reports.map((r) => r.lng).sort((a, b) => a - b);
  const trim = reports.length >= 10 ? Math.floor(reports.length / 10) : 0;
  const last = reports.length - 1 - trim;
  return L.latLngBounds([lats[trim]!, lngs[trim]!], [lats[last]!, lngs[last]!]);
}

/** A cluster's diameter in pixels: bigger for more reports, in three steps. */
function clusterSize(count: number): number {
  if (count < 10) return 28;
  if (count < 100) return 34;
  return 42;
}

export interface DispatchMap {
  /** Re-clusters the reports when their list changes, and adds, moves, restyles and removes crews (diffed by object identity). */
  update(reports: readonly ReportRow[], crews: readonly CrewRow[]): void;
  /** Zooms to show every report on the map. */
  fitReports(): void;
  /** Shows the reports as a density grid instead of markers, or back. */
  setDensity(on: boolean): void;
  destroy(): void;
}

/**
 * The live dispatch map: reports clustered (a cluster shows its count in the colour of its most urgent
 * priority; a click zooms to where it splits), single reports coloured by priority on the canvas, crews
 * (squares) by status. Only the clusters in view are DOM elements, so thousands of reports stay cheap.
 */
export function createDispatchMap(
  element: HTMLElement,
  options: BaseOptions & { texts: MapTexts; onReport: (id: string) => void; onCrew: (id: string) => void; crewLabel: (crew: CrewRow) => string },
): DispatchMap {
  const { map, renderer, labels } = baseMap(element, { ...options, districts: true }, 9);
  const { locale, texts } = options;
  const reportLayer = L.layerGroup().addTo(map);
  const densityLayer = L.layerGroup().addTo(map);
  const densityRenderer = L.svg({ padding: 0.2 });
  const crewLayer = L.layerGroup().addTo(map);
  type ClusterItem = Extract<MapItem, { kind: 'cluster' }>;
  /** What is drawn for one item in view: the marker, its size on screen, and the report or cluster it shows. */
  interface ShownItem {
    layer: L.CircleMarker | L.Marker;
    size: number;
    row?: ReportRow;
    cluster?: ClusterItem;
  }
  const shown = new Map<string, ShownItem>();
  const crewMarkers = new Map<string, { row: CrewRow; marker: L.Marker; dot: HTMLElement; tip: HTMLElement }>();
  let reports: readonly ReportRow[] = [];
  let rows = new Map<string, ReportRow>();
  let clusters = new ReportClusters([]);
  let density = false;
  let fitted = false;

  function reportStyle(row: ReportRow): L.CircleMarkerOptions {
    const color = PRIORITY_COLORS[row.priority] ?? '#555';
    return { renderer, radius: row.priority === 'CRITICAL' ? 8 : 6, color: '#fff', weight: 1.5, fillColor: color, fillOpacity: 0.9 };
  }

  function reportTooltip(row: ReportRow): HTMLElement {
    const content = textElement('div', 'map-tip', '', locale);
    const reference = document.createElement('bdi');
    reference.textContent = row.reference;
    content.append(reference, ` — ${texts.reportLabel(row)}`);
    return content;
  }

  /**
   * A crew's square and tooltip, drawn for the row: coloured through the CSSOM (the console's CSP refuses style
   * attributes in markup), and changed in place when the crew changes, so its element stays the one under the pointer.
   */
  function paintCrew(dot: HTMLElement, tip: HTMLElement, row: CrewRow): void {
    dot.style.background = CREW_COLORS[row.status] ?? '#555';
    tip.textContent = options.crewLabel(row);
  }

  /** A cluster's badge; a click reads the cluster's id in the latest index, as re-indexing renumbers clusters. */
  function clusterMarker(item: ClusterItem, key: string): L.Marker {
    const badge = textElement('div', 'map-cluster', formatNumber(item.count, locale), locale);
    const size = clusterSize(item.count);
    badge.style.background = PRIORITY_COLORS[item.top] ?? '#555';
    badge.style.width = badge.style.height = badge.style.lineHeight = `${size}px`;
    badge.dataset.count = String(item.count);
    badge.dataset.priority = item.top;
    return L.marker([item.lat, item.lng], { icon: L.divIcon({ className: 'map-cluster-icon', html: badge, iconSize: [size, size] }), keyboard: true })
      .bindTooltip(textElement('div', 'map-tip', texts.clusterLabel(item.count, item.top), locale))
      .on('click', () => map.setView([item.lat, item.lng], Math.min(clusters.expansionZoom((shown.get(key)?.cluster ?? item).clusterId), map.getMaxZoom())));
  }

  function drawReports(): void {
    if (density) return;
    const bounds = map.getBounds().pad(0.2);
    const items = clusters.items([bounds.getWest(), Math.max(bounds.getSouth(), -85), bounds.getEast(), Math.min(bounds.getNorth(), 85)], map.getZoom());
    const seen = new Set<string>();
    let inView = 0;
    for (const item of items) {
      if (item.kind === 'cluster') {
        inView += item.count;
        // Keyed by what it shows, not its id: re-indexing after any change renumbers clusters that stay the same.
        const key = `c:${item.lat.toFixed(6)}:${item.lng.toFixed(6)}:${item.count}:${item.top}`;
        seen.add(key);
        const existing = shown.get(key);
        if (existing) existing.cluster = item;
        else shown.set(key, { layer: clusterMarker(item, key).addTo(reportLayer), size: clusterSize(item.count), cluster: item });
        continue;
      }
      inView += 1;
      const row = rows.get(item.id);
      if (!row) continue;
      const key = `r:${item.id}`;
      seen.add(key);
      const existing = shown.get(key);
      if (existing?.row === row) continue;
      if (existing) {
        (existing.layer as L.CircleMarker).setLatLng([row.lat, row.lng]).setStyle(reportStyle(row)).setTooltipContent(reportTooltip(row));
        existing.row = row;
        continue;
      }
      const marker = L.circleMarker([row.lat, row.lng], reportStyle(row))
        .bindTooltip(reportTooltip(row))
        .on('click', () => options.onReport(row.id));
      shown.set(key, { layer: marker.addTo(reportLayer), size: 2 * (marker.options.radius ?? 6), row });
    }
    for (const [key, entry] of shown) {
      if (seen.has(key)) continue;
      entry.layer.remove();
      shown.delete(key);
    }
    element.dataset.reportsInView = String(inView);
    labels.place();
  }

  function drawDensity(): void {
    densityLayer.clearLayers();
    if (!density) return;
    const zoom = map.getZoom();
    const cells = densityGrid(
      reports.map((r) => map.project([r.lat, r.lng], zoom)),
      DENSITY_CELL_PX,
    );
    const busiest = cells[0]?.count ?? 1;
    for (const cell of cells) {
      const corner = (col: number, row: number) => map.unproject([col * DENSITY_CELL_PX, row * DENSITY_CELL_PX], zoom);
      L.rectangle(L.latLngBounds(corner(cell.col, cell.row), corner(cell.col + 1, cell.row + 1)), {
        renderer: densityRenderer,
        className: 'density-cell',
        stroke: false,
        fillColor: '#b3261e',
        fillOpacity: 0.12 + (0.63 * cell.count) / busiest,
      })
        .bindTooltip(textElement('div', 'map-tip', texts.densityLabel(cell.count), locale))
        .addTo(densityLayer);
    }
    element.dataset.densityCells = String(cells.length);
  }

  /** The markers' boxes on screen, which the municipality names keep clear of. */
  function markerBoxes(): Box[] {
    const boxes: Box[] = [];
    const add = (at: L.LatLng, size: number) => {
      const point = map.latLngToContainerPoint(at);
      boxes.push({ x: point.x, y: point.y, width: size, height: size });
    };
    for (const entry of shown.values()) add(entry.layer.getLatLng(), entry.size);
    for (const entry of crewMarkers.values()) add(entry.marker.getLatLng(), 18);
    return boxes;
  }
  labels.avoid(markerBoxes);

  /**
   * Puts each crew's square at its location, fanning out squares that would sit on each other at this zoom (crews
   * parked at one depot) so every crew can be seen and clicked; then the names make room around them.
   */
  function placeCrews(): void {
    const zoom = map.getZoom();
    const points = [...crewMarkers].map(([id, entry]) => ({ id, ...map.project([entry.row.lat!, entry.row.lng!], zoom) }));
    const offsets = spreadOverlaps(points, CREW_SPACING_PX);
    for (const point of points) {
      const offset = offsets.get(point.id) ?? { dx: 0, dy: 0 };
      crewMarkers.get(point.id)!.marker.setLatLng(map.unproject([point.x + offset.dx, point.y + offset.dy], zoom));
    }
    labels.place();
  }
  map.on('zoomend', placeCrews);

  function onView(): void {
    element.dataset.zoom = String(map.getZoom());
    drawReports();
  }

  map.on('moveend', onView);
  map.on('zoomend', drawDensity);

  return {
    update(nextReports, crews) {
      if (nextReports !== reports) {
        reports = nextReports;
        rows = new Map(nextReports.map((r) => [r.id, r]));
        clusters = new ReportClusters(nextReports);
        labels.weigh(nextReports);
        if (!fitted && nextReports.length > 0) {
          fitted = true;
          map.fitBounds(busiestBounds(nextReports), { padding: [30, 30], maxZoom: 12 });
        }
        drawReports();
        drawDensity();
      }
      let crewsMoved = false;
      for (const row of crews) {
        if (row.lat === null || row.lng === null) continue;
        const existing = crewMarkers.get(row.id);
        if (existing?.row === row) continue;
        if (existing) {
          if (existing.row.lat !== row.lat || existing.row.lng !== row.lng) crewsMoved = true;
          paintCrew(existing.dot, existing.tip, row);
          existing.row = row;
          continue;
        }
        crewsMoved = true;
        const dot = document.createElement('div');
        dot.className = 'crew-marker';
        const tip = textElement('div', 'map-tip', '', locale);
        paintCrew(dot, tip, row);
        const marker = L.marker([row.lat, row.lng], { icon: L.divIcon({ className: '', html: dot, iconSize: [14, 14] }), zIndexOffset: 1000 })
          .bindTooltip(tip)
          .on('click', () => options.onCrew(row.id));
        marker.addTo(crewLayer);
        crewMarkers.set(row.id, { row, marker, dot, tip });
      }
      if (crewsMoved) placeCrews();
    },
    fitReports() {
      if (reports.length === 0) return;
      const bounds = L.latLngBounds(reports.map((r) => [r.lat, r.lng] as L.LatLngTuple));
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
    },
    setDensity(on) {
      density = on;
      element.dataset.density = String(on);
      if (on) {
        reportLayer.clearLayers();
        shown.clear();
        element.dataset.reportsInView = '0';
      }
      drawDensity();
      drawReports();
      labels.place();
    },
    destroy() {
      map.remove();
    },
  };
}

/** A small map with one report's location. */
export function createMiniMap(element: HTMLElement, options: BaseOptions & { point: { lat: number; lng: number }; color: string }): { destroy(): void } {
  const { map, renderer } = baseMap(element, options, 13);
  L.circleMarker([options.point.lat, options.point.lng], { renderer, radius: 9, color: '#fff', weight: 2, fillColor: options.color, fillOpacity: 1 }).addTo(map);
  map.setView([options.point.lat, options.point.lng], 13);
  return { destroy: () => map.remove() };
}

/** A map to pick a location by clicking; `onPick` gets every new choice with the municipality and district it falls in (null at sea or off the map). */
export function createLocationPicker(
  element: HTMLElement,
  options: BaseOptions & { initial: { lat: number; lng: number } | null; onPick: (point: { lat: number; lng: number }, place: Place | null) => void },
): { moveTo(point: { lat: number; lng: number }, zoom?: number): void; destroy(): void } {
  const { map, renderer } = baseMap(element, { ...options, districts: true }, 9);
  let marker: L.CircleMarker | null = null;
  function place(point: { lat: number; lng: number }): void {
    if (marker) marker.setLatLng([point.lat, point.lng]);
    else marker = L.circleMarker([point.lat, point.lng], { renderer, radius: 9, color: '#fff', weight: 2, fillColor: '#c62828', fillOpacity: 1 }).addTo(map);
  }
  if (options.initial) place(options.initial);
  map.on('click', (event: L.LeafletMouseEvent) => {
    const point = { lat: Number(event.latlng.lat.toFixed(6)), lng: Number(event.latlng.lng.toFixed(6)) };
    place(point);
    options.onPick(point, placeAt(point));
  });
  element.dataset.zoom = String(map.getZoom());
  map.on('zoomend', () => (element.dataset.zoom = String(map.getZoom())));
  return {
    moveTo(point, zoom = 13) {
      map.setView([point.lat, point.lng], zoom);
    },
    destroy: () => map.remove(),
  };
}
