/** Where the window opens. Pure. */

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW_SIZE = { width: 1100, height: 760 } as const;
export const MIN_WINDOW_SIZE = { width: 640, height: 420 } as const;

function overlap(a: Bounds, b: Bounds): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The saved bounds if the window would still be reachable there (a monitor may have been unplugged since):
 * at least a 100 × 60 piece of its top must lie on some display's work area, where the title bar is. Else
 * only the saved size, clamped to the primary work area, and the system places it.
 */
export function restoredBounds(saved: Bounds | null, workAreas: readonly Bounds[]): Partial<Bounds> & { width: number; height: number } {
  const primary = workAreas[0];
  const clampSize = (w: number, h: number) => ({
    width: Math.max(MIN_WINDOW_SIZE.width, primary ? Math.min(w, primary.width) : w),
    height: Math.max(MIN_WINDOW_SIZE.height, primary ? Math.min(h, primary.height) : h),
  });
  if (!saved) return clampSize(DEFAULT_WINDOW_SIZE.width, DEFAULT_WINDOW_SIZE.height);
  const titleStrip: Bounds = { x: saved.x, y: saved.y, width: saved.width, height: Math.min(60, saved.height) };
  const visible = workAreas.some((area) => overlap(titleStrip, area) >= Math.min(100, saved.width) * Math.min(60, saved.height));
  const size = clampSize(saved.width, saved.height);
  return visible ? { x: saved.x, y: saved.y, ...size } : size;
}
