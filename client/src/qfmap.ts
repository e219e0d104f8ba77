// The report's QF maps (report.ts `QfMaps`) as pictures and words: the colour of a cell, where
// the cells land on the image, the outline of the regions that differ, and their descriptions.
import type { Box } from "./overlay";
import type { DifferentRegion, QfMaps } from "./report";

/** Which map the overlay shows: the QF of the last compression, or compressed / not. */
export type MapKind = "quality" | "flag";

export const MAP_WORDS: Record<MapKind, string> = { quality: "QF map", flag: "Compression flag" };

/** What the overlay shows; one state for the examination view and the comparison. */
export interface OverlaySettings {
  shown: boolean;
  kind: MapKind;
  /** 0..1 */
  opacity: number;
}

export const DEFAULT_OVERLAY: OverlaySettings = { shown: false, kind: "quality", opacity: 0.6 };

/** [r, g, b, a], each 0..255. */
export type Rgba = [number, number, number, number];

const CLEAR: Rgba = [0, 0, 0, 0];

/** Viridis (perceptually uniform, colour-blind safe), 9 even stops: QF 1 = dark violet … QF 100 = yellow. */
const VIRIDIS = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"].map(
  (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)),
);

/** Colour of a QF-map cell: QF 1..100 on viridis, opaque; 0 (not compressed) clear. */
export function qualityColour(quality: number): Rgba {
  if (quality <= 0) return CLEAR;
  const t = ((Math.min(100, quality) - 1) / 99) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(t));
  const f = t - i;
  const [r, g, b] = VIRIDIS[i].map((v, k) => Math.round(v + (VIRIDIS[i + 1][k] - v) * f));
  return [r, g, b, 255];
}

/** The page's "compressed" amber (--single), opaque. */
export const COMPRESSED_COLOUR: Rgba = [217, 119, 6, 255];

/** Colour of a flag-map cell: 255 (compressed) amber, 0 clear. */
export function flagColour(flag: number): Rgba {
  return flag >= 128 ? COMPRESSED_COLOUR : CLEAR;
}

export const COLOUR_OF: Record<MapKind, (value: number) => Rgba> = { quality: qualityColour, flag: flagColour };

/** RGBA pixels (4 bytes per cell, for an ImageData) of grey cells 0..255 through a colour map. */
export function colourise(cells: Uint8ClampedArray, colour: (value: number) => Rgba): Uint8ClampedArray {
  const table = Array.from({ length: 256 }, (_, v) => colour(v));
  const rgba = new Uint8ClampedArray(cells.length * 4);
  cells.forEach((v, i) => rgba.set(table[v], 4 * i));
  return rgba;
}

/** CSS `linear-gradient` of the QF colour scale, QF 1 on the left to 100 on the right. */
export function qualityGradient(): string {
  const stops = Array.from({ length: 12 }, (_, i) => {
    const [r, g, b] = qualityColour(1 + (99 * i) / 11);
    return `rgb(${r} ${g} ${b}) ${((100 * i) / 11).toFixed(1)}%`;
  });
  return `linear-gradient(to right, ${stops.join(", ")})`;
}

/** Cells and where they land: `box` in image pixels, one cell = `maps.cell` pixels. */
export interface CellLayer {
  cells: Uint8ClampedArray;
  rows: number;
  columns: number;
  box: Box;
}

/**
 * The cells of a map laid on the image as one regular grid. The pixels before dx (dy) belong
 * to cell column (row) 0, so when dx > 0 (dy > 0) that column (row) is repeated once more on
 * the left (top), starting `cell - dx` pixels before the image; the last cells may also reach
 * past the image. The frame clips both.
 *
 * @param cells rows x columns grey values, row-major (decoded from one of the maps' PNGs)
 */
export function cellLayer(cells: Uint8ClampedArray, maps: QfMaps): CellLayer {
  const { rows, columns, cell, dx, dy } = maps;
  const [top, left] = [dy > 0 ? 1 : 0, dx > 0 ? 1 : 0];
  const [padRows, padColumns] = [rows + top, columns + left];
  const padded = new Uint8ClampedArray(padRows * padColumns);
  for (let r = 0; r < padRows; r++) {
    const from = Math.max(0, r - top) * columns;
    const row = cells.subarray(from, from + columns);
    padded.set(row, r * padColumns + left);
    if (left) padded[r * padColumns] = row[0];
  }
  return {
    cells: padded,
    rows: padRows,
    columns: padColumns,
    box: { left: dx - left * cell, top: dy - top * cell, width: padColumns * cell, height: padRows * cell },
  };
}

/**
 * Pixel coordinates of the `count + 1` cell edges along one axis: 0, offset + cell, offset +
 * 2·cell, …, extent (cell 0 starts at the image's edge, the last cell ends there).
 */
export function cellEdges(offset: number, count: number, cell: number, extent: number): number[] {
  return Array.from({ length: count + 1 }, (_, i) => (i === 0 ? 0 : Math.min(extent, offset + i * cell)));
}

/**
 * SVG path data (image pixels) of the boundary between marked (non-zero) and unmarked cells
 * of a rows x columns mask, the image's edge counting as unmarked: one `M x y H x` per run of
 * horizontal boundary and one `M x y V y` per run of vertical boundary. Empty for an empty mask.
 *
 * @param xs, ys cell edges from {@link cellEdges}: columns + 1 and rows + 1 pixel coordinates
 */
export function outlinePath(mask: Uint8ClampedArray, rows: number, columns: number, xs: number[], ys: number[]): string {
  const marked = (r: number, c: number) => r >= 0 && r < rows && c >= 0 && c < columns && mask[r * columns + c] > 0;
  const runs: string[] = [];
  // Horizontal boundaries: above row r, along the columns.
  for (let r = 0; r <= rows; r++) {
    for (let c = 0; c < columns; ) {
      if (marked(r - 1, c) === marked(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < columns && marked(r - 1, c) !== marked(r, c)) c++;
      runs.push(`M${xs[start]} ${ys[r]}H${xs[c]}`);
    }
  }
  // Vertical boundaries: left of column c, down the rows.
  for (let c = 0; c <= columns; c++) {
    for (let r = 0; r < rows; ) {
      if (marked(r, c - 1) === marked(r, c)) {
        r++;
        continue;
      }
      const start = r;
      while (r < rows && marked(r, c - 1) !== marked(r, c)) r++;
      runs.push(`M${xs[c]} ${ys[start]}V${ys[r]}`);
    }
  }
  return runs.join("");
}

/** "QF 21" or "uncompressed" for a map's QF (0 = not compressed). */
export function historyWords(quality: number): string {
  return quality > 0 ? `QF ${Math.round(quality)}` : "uncompressed";
}

/** A region's label on the image: "QF 21 vs rest uncompressed". */
export function regionLabel(region: DifferentRegion): string {
  return `${historyWords(region.quality)} vs rest ${historyWords(region.rest_quality)}`;
}

/** Regions labelled in words on the image (the largest); the others by their number only. */
export const WORDED_LABELS = 5;

/**
 * The label on the image of the `index`-th region (0-based, largest first), numbered as the
 * list of regions: "1 · QF 21 vs rest uncompressed", or "6" past {@link WORDED_LABELS}.
 */
export function regionTag(region: DifferentRegion, index: number): string {
  return index < WORDED_LABELS ? `${index + 1} · ${regionLabel(region)}` : `${index + 1}`;
}

/** "1 region with a different compression history", "3 regions …" or "No region differs …". */
export function regionCount(count: number): string {
  if (count === 0) return "No region differs from the rest of the image";
  return `${count} ${count === 1 ? "region" : "regions"} with a different compression history`;
}
