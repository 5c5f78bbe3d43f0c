import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { CrewRow } from '../../domain/crew.ts';
import type { ReportRow } from '../../domain/report.ts';
import { CREW_COLORS, PRIORITY_COLORS, PROVINCE_CENTER } from './map.config.ts';

/** A municipality centre: drawn as a labelled landmark so the map has a frame of reference without tiles. */
export interface Landmark {
  code: string;
  name: string;
  lat: number;
  lng: number;
}

interface BaseOptions {
  tileUrl: string | null;
  landmarks: readonly Landmark[];
}

/**
 * A Leaflet map on the canvas renderer (thousands of markers stay smooth). With a tile URL it shows
 * tiles; without one (no internet) it draws on a plain background with the municipalities as
 * landmarks, so reports and crews are still placed and clickable.
 */
function baseMap(element: HTMLElement, options: BaseOptions, zoom: number): { map: L.Map; renderer: L.Canvas } {
  const map = L.map(element, { preferCanvas: true, attributionControl: Boolean(options.tileUrl), zoomSnap: 0.5 });
  const renderer = L.canvas({ padding: 0.3 });
  map.setView([PROVINCE_CENTER.lat, PROVINCE_CENTER.lng], zoom);
  // The page sends no Referer off-site (Referrer-Policy: same-origin); tile servers such as OpenStreetMap's require one, so tiles send the origin.
  if (options.tileUrl) L.tileLayer(options.tileUrl, { maxZoom: 19, referrerPolicy: 'strict-origin' }).addTo(map);
  else element.classList.add('map-plain');
  for (const landmark of options.landmarks) {
    L.circleMarker([landmark.lat, landmark.lng], { renderer, radius: 3, color: '#8795a1', weight: 1, fillOpacity: 0.6, interactive: false })
      .bindTooltip(landmark.name, { permanent: true, direction: 'top', className: 'landmark', opacity: 0.7 })
      .addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  return { map, renderer };
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

export interface DispatchMap {
  /** Adds, moves, restyles and removes markers to match the rows (diffed by object identity). */
  update(reports: readonly ReportRow[], crews: readonly CrewRow[]): void;
  destroy(): void;
}

/** The live dispatch map: reports coloured by priority, crews (squares) by status. */
export function createDispatchMap(element: HTMLElement, options: BaseOptions & { onReport: (id: string) => void; onCrew: (id: string) => void; crewLabel: (crew: CrewRow) => string }): DispatchMap {
  const { map, renderer } = baseMap(element, options, 9);
  const reportLayer = L.layerGroup().addTo(map);
  const crewLayer = L.layerGroup().addTo(map);
  const reportMarkers = new Map<string, { row: ReportRow; marker: L.CircleMarker }>();
  const crewMarkers = new Map<string, { row: CrewRow; marker: L.Marker }>();
  let fitted = false;

  function reportStyle(row: ReportRow): L.CircleMarkerOptions {
    const color = PRIORITY_COLORS[row.priority] ?? '#555';
    return { renderer, radius: row.priority === 'CRITICAL' ? 8 : 6, color: '#fff', weight: 1.5, fillColor: color, fillOpacity: 0.9 };
  }

  /** Built as an element and coloured through the CSSOM: the console's CSP refuses style attributes in markup. */
  function crewIcon(row: CrewRow): L.DivIcon {
    const dot = document.createElement('div');
    dot.className = 'crew-marker';
    dot.style.background = CREW_COLORS[row.status] ?? '#555';
    return L.divIcon({ className: '', html: dot, iconSize: [14, 14] });
  }

  return {
    update(reports, crews) {
      const seen = new Set<string>();
      for (const row of reports) {
        seen.add(row.id);
        const existing = reportMarkers.get(row.id);
        if (existing?.row === row) continue;
        if (existing) {
          existing.marker.setLatLng([row.lat, row.lng]).setStyle(reportStyle(row));
          existing.row = row;
          continue;
        }
        const marker = L.circleMarker([row.lat, row.lng], reportStyle(row))
          .bindTooltip(row.reference)
          .on('click', () => options.onReport(row.id));
        marker.addTo(reportLayer);
        reportMarkers.set(row.id, { row, marker });
      }
      for (const [id, entry] of reportMarkers) {
        if (seen.has(id)) continue;
        entry.marker.remove();
        reportMarkers.delete(id);
      }
      for (const row of crews) {
        if (row.lat === null || row.lng === null) continue;
        const existing = crewMarkers.get(row.id);
        if (existing?.row === row) continue;
        if (existing) {
          existing.marker.setLatLng([row.lat, row.lng]).setIcon(crewIcon(row)).setTooltipContent(options.crewLabel(row));
          existing.row = row;
          continue;
        }
        const marker = L.marker([row.lat, row.lng], { icon: crewIcon(row), zIndexOffset: 1000 })
          .bindTooltip(options.crewLabel(row))
          .on('click', () => options.onCrew(row.id));
        marker.addTo(crewLayer);
        crewMarkers.set(row.id, { row, marker });
      }
      if (!fitted && reports.length > 0) {
        fitted = true;
        map.fitBounds(busiestBounds(reports), { padding: [30, 30], maxZoom: 12 });
      }
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

/** A map to pick a location by clicking; `onPick` gets every new choice. */
export function createLocationPicker(
  element: HTMLElement,
  options: BaseOptions & { initial: { lat: number; lng: number } | null; onPick: (point: { lat: number; lng: number }) => void },
): { moveTo(point: { lat: number; lng: number }, zoom?: number): void; destroy(): void } {
  const { map, renderer } = baseMap(element, options, 9);
  let marker: L.CircleMarker | null = null;
  function place(point: { lat: number; lng: number }): void {
    if (marker) marker.setLatLng([point.lat, point.lng]);
    else marker = L.circleMarker([point.lat, point.lng], { renderer, radius: 9, color: '#fff', weight: 2, fillColor: '#c62828', fillOpacity: 1 }).addTo(map);
  }
  if (options.initial) place(options.initial);
  map.on('click', (event: L.LeafletMouseEvent) => {
    const point = { lat: Number(event.latlng.lat.toFixed(6)), lng: Number(event.latlng.lng.toFixed(6)) };
    place(point);
    options.onPick(point);
  });
  return {
    moveTo(point, zoom = 13) {
      map.setView([point.lat, point.lng], zoom);
    },
    destroy: () => map.remove(),
  };
}
