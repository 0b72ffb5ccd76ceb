// Tables beside the charts, and CSV export of exactly the rows the chart shows.
import type { Row } from './api.ts';

const fmt = new Intl.NumberFormat('en-US');

function cell(col: string, v: Row[string]): string {
  if (v === null || v === undefined) return '';
  // Ids are names, not quantities: no thousands separators.
  if (typeof v === 'number' && !/(^|_)id$/.test(col)) return fmt.format(v);
  return String(v);
}

export function renderTable(host: HTMLElement, columns: string[], rows: Row[], maxRows = 500, empty = 'no rows'): void {
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement('th');
    th.textContent = c.replace(/_/g, ' ');
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const r of rows.slice(0, maxRows)) {
    const tr = body.insertRow();
    for (const c of columns) {
      const td = tr.insertCell();
      td.textContent = cell(c, r[c]);
      if (typeof r[c] === 'number') td.className = 'num';
      td.dataset.col = c;
    }
  }
  host.replaceChildren(table);
  if (!rows.length) {
    const none = document.createElement('p');
    none.className = 'muted empty';
    none.textContent = empty;
    host.appendChild(none);
  }
  if (rows.length > maxRows) {
    const more = document.createElement('p');
    more.className = 'muted';
    more.textContent = `${rows.length - maxRows} more rows in the CSV`;
    host.appendChild(more);
  }
}

function csvValue(v: Row[string]): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: string[], rows: Row[]): string {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvValue(r[c] ?? null)).join(','))].join('\r\n') + '\r\n';
}

export function downloadCsv(name: string, columns: string[], rows: Row[]): void {
  const url = URL.createObjectURL(new Blob([toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
