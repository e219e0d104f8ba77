// Drawing over an image in its own pixel coordinates: boxes placed as percentages of the
// image's size, so they follow the image at any displayed size (and zoom).
import type { CSSProperties } from "react";

/** A rectangle in image pixels (may reach past the image; the overlay's frame clips it). */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** CSS `left/top/width/height` of an absolutely positioned box over an image of `extent` pixels. */
export function percentBox(box: Box, extent: { width: number; height: number }): CSSProperties {
  const pct = (v: number, size: number) => `${(100 * v) / size}%`;
  return {
    left: pct(box.left, extent.width),
    top: pct(box.top, extent.height),
    width: pct(box.width, extent.width),
    height: pct(box.height, extent.height),
  };
}
