/**
 * CSV for spreadsheets: UTF-8 with a byte-order mark first, so Excel and LibreOffice read Arabic as Arabic rather
 * than as Latin-1 noise; fields quoted when they hold a comma, a quote or a line break (quotes doubled), rows
 * ended by CRLF as RFC 4180 writes them.
 */
export const BOM = '\uFEFF';

/** One field: as it is, or quoted when it must be. A missing figure is an empty field (no data is not 0). */
export function csvField(value: string | number | null | undefined): string {
  if (value == null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole table: a header row and the rows, with the byte-order mark in front. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return BOM + [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Hands a CSV to the browser as a download named `filename`. */
export function downloadCsv(filename: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
