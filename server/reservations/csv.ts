/**
 * One CSV cell. Text that a spreadsheet would run as a formula (starting with = + - @, tab or CR)
 * gets a leading apostrophe (OWASP "CSV injection"), and every cell is quoted.
 */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '""';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function csvRow(values: (string | number | null | undefined)[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}
