// Saves an export file from the page.
import type { ExportFile } from '../contract.js';

/** Saves an export through the browser's download (a blob URL, so nothing is sent anywhere). */
export function downloadExport(file: ExportFile, doc: Document = document): void {
  const blob = new Blob([file.content], { type: `${file.mimeType};charset=utf-8` });
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.rel = 'noopener';
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
