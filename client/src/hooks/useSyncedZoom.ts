import { useCallback, useEffect, useRef, useState, type CSSProperties, type RefObject } from "react";
import { listen } from "./listen";

/**
 * Zoom and pan of an image in a frame, in frame units (0..1 across the frame's width and
 * height, so a resize such as entering fullscreen keeps the view):
 * screen = translate(x, y) · scale(scale) · image.
 */
export interface View {
  scale: number;
  x: number;
  y: number;
}

export const FIT: View = { scale: 1, x: 0, y: 0 };
export const MAX_SCALE = 32;

/** Keep the zoomed image covering the frame (no empty border pulled in by panning). */
export function clampView(view: View): View {
  const scale = Math.min(MAX_SCALE, Math.max(1, view.scale));
  const clamp = (v: number) => Math.min(0, Math.max(1 - scale, v));
  return { scale, x: clamp(view.x), y: clamp(view.y) };
}

/** Zoom by `factor` keeping the frame point (px, py) fixed. */
export function zoomAt(view: View, factor: number, px: number, py: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(1, view.scale * factor));
  const k = scale / view.scale;
  return clampView({ scale, x: px - (px - view.x) * k, y: py - (py - view.y) * k });
}

/** Move the zoomed image by (dx, dy) frame units. */
export function panBy(view: View, dx: number, dy: number): View {
  return clampView({ ...view, x: view.x + dx, y: view.y + dy });
}

const KEY_PAN = 0.1; // of the frame, per arrow key press

/**
 * One zoom/pan state for everything inside `frameRef` (both sides of the comparison use the
 * same `style`, so they stay in sync). Mouse wheel zooms at the pointer, dragging pans,
 * and with the frame focused: + / - zoom, 0 resets, arrow keys pan.
 */
export function useSyncedZoom(frameRef: RefObject<HTMLElement>) {
  const [view, setView] = useState<View>(FIT);
  const drag = useRef<{ id: number; x: number; y: number } | null>(null);

  const zoomCentre = useCallback((factor: number) => setView((v) => zoomAt(v, factor, 0.5, 0.5)), []);
  const reset = useCallback(() => setView(FIT), []);

  useEffect(() => {
    const element = frameRef.current;
    if (!element) return;
    const wheel = (e: WheelEvent) => {
      e.preventDefault(); // the page must not scroll while zooming
      const box = element.getBoundingClientRect();
      const factor = Math.exp(-e.deltaY / 400);
      const [px, py] = [(e.clientX - box.left) / box.width, (e.clientY - box.top) / box.height];
      setView((v) => zoomAt(v, factor, px, py));
    };
    const down = (e: PointerEvent) => {
      if (e.button !== 0 || (e.target as HTMLElement).closest('[data-rcs="handle-container"], button, a')) return;
      drag.current = { id: e.pointerId, x: e.clientX, y: e.clientY };
      element.setPointerCapture?.(e.pointerId);
    };
    const move = (e: PointerEvent) => {
      const start = drag.current;
      if (!start || start.id !== e.pointerId) return;
      drag.current = { ...start, x: e.clientX, y: e.clientY };
      const box = element.getBoundingClientRect();
      setView((v) => panBy(v, (e.clientX - start.x) / box.width, (e.clientY - start.y) / box.height));
    };
    const up = (e: PointerEvent) => {
      if (drag.current?.id === e.pointerId) drag.current = null;
    };
    const key = (e: KeyboardEvent) => {
      if (e.target !== element) return; // the slider handle keeps its own arrow keys
      const pans: Record<string, [number, number]> = {
        ArrowLeft: [KEY_PAN, 0],
        ArrowRight: [-KEY_PAN, 0],
        ArrowUp: [0, KEY_PAN],
        ArrowDown: [0, -KEY_PAN],
      };
      if (e.key === "+" || e.key === "=") zoomCentre(1.25);
      else if (e.key === "-") zoomCentre(0.8);
      else if (e.key === "0") reset();
      else if (e.key in pans) setView((v) => panBy(v, ...pans[e.key]));
      else return;
      e.preventDefault();
    };
    return listen(
      element,
      { wheel, pointerdown: down, pointermove: move, pointerup: up, pointercancel: up, keydown: key },
      { passive: false },
    );
  }, [frameRef, zoomCentre, reset]);

  const style = {
    // percentages of the zoomed box, which is the frame's size
    transform: `translate(${view.x * 100}%, ${view.y * 100}%) scale(${view.scale})`,
    transformOrigin: "0 0",
    // Past 2x show the pixels themselves: JPEG blocks must not be smoothed away.
    imageRendering: view.scale >= 2 ? "pixelated" : "auto",
    // for what inside must keep its on-screen size (labels, outlines): divide by it
    "--zoom": view.scale,
  } as CSSProperties;

  return { view, style, zoomIn: () => zoomCentre(1.5), zoomOut: () => zoomCentre(1 / 1.5), reset };
}
