import { useEffect, useMemo, useRef } from "react";
import type { DifferentRegion, QfMaps } from "../report";
import { percentBox } from "../overlay";
import { useMapCells } from "../hooks/useMapCells";
import {
  COLOUR_OF,
  MAP_WORDS,
  cellEdges,
  cellLayer,
  colourise,
  outlinePath,
  regionCount,
  regionTag,
  type MapKind,
  type OverlaySettings,
} from "../qfmap";

/** The image's size in pixels: the overlay's coordinate system. */
interface Extent {
  width: number;
  height: number;
}

interface MapLayerProps {
  /** rows x columns grey values of the map `kind` (decoded from its PNG). */
  cells: Uint8ClampedArray;
  maps: QfMaps;
  kind: MapKind;
  extent: Extent;
  /** 0..1 */
  opacity: number;
}

/** One map's cells, colourised, as a canvas of one pixel per cell stretched over its blocks. */
function MapLayer({ cells, maps, kind, extent, opacity }: MapLayerProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const layer = useMemo(() => cellLayer(cells, maps), [cells, maps]);
  useEffect(() => {
    const context = canvas.current?.getContext("2d");
    const rgba = colourise(layer.cells, COLOUR_OF[kind]);
    context?.putImageData(new ImageData(rgba, layer.columns, layer.rows), 0, 0);
  }, [layer, kind]);
  return (
    <canvas
      ref={canvas}
      className="qf-map-layer"
      data-testid="qf-map-layer"
      width={layer.columns}
      height={layer.rows}
      style={{ ...percentBox(layer.box, extent), opacity }}
    />
  );
}

/** The exact outline (cell edges) of the regions whose history differs, over the whole image. */
function RegionOutline({ mask, maps, extent }: { mask: Uint8ClampedArray; maps: QfMaps; extent: Extent }) {
  const path = useMemo(() => {
    const xs = cellEdges(maps.dx, maps.columns, maps.cell, extent.width);
    const ys = cellEdges(maps.dy, maps.rows, maps.cell, extent.height);
    return outlinePath(mask, maps.rows, maps.columns, xs, ys);
  }, [mask, maps, extent.width, extent.height]);
  if (!path) return null;
  return (
    <svg className="region-outline" viewBox={`0 0 ${extent.width} ${extent.height}`} preserveAspectRatio="none">
      <path className="halo" d={path} />
      <path className="line" d={path} data-testid="region-outline" />
    </svg>
  );
}

/** The region's tag in its box's top corner: the left one, or the right one in the image's right half. */
function RegionLabel({ region, index, extent }: { region: DifferentRegion; index: number; extent: Extent }) {
  const [left, top, width, height] = region.bbox;
  const end = left + width / 2 > extent.width / 2;
  return (
    <div className="region-box" style={percentBox({ left, top, width, height }, extent)}>
      <span className={end ? "region-label end" : "region-label"} data-testid="region-label">
        {regionTag(region, index)}
      </span>
    </div>
  );
}

/**
 * The QF map (or the compression flag) over an image, with the outline and label of every
 * region whose history differs. Place it as the last child of a positioned box exactly the
 * size of the displayed image; it fills that box and never takes the pointer.
 */
export function QfMapOverlay({ maps, extent, settings }: { maps: QfMaps; extent: Extent; settings: OverlaySettings }) {
  const cells = useMapCells(settings.kind === "quality" ? maps.quality_png : maps.flag_png, maps.rows, maps.columns);
  const mask = useMapCells(maps.different_png, maps.rows, maps.columns);
  if (!settings.shown) return null;
  return (
    <div
      className="qf-map-overlay"
      data-testid="qf-map-overlay"
      role="img"
      aria-label={`${MAP_WORDS[settings.kind]} over the image. ${regionCount(maps.regions.length)}.`}
    >
      {cells && <MapLayer cells={cells} maps={maps} kind={settings.kind} extent={extent} opacity={settings.opacity} />}
      {mask && <RegionOutline mask={mask} maps={maps} extent={extent} />}
      {maps.regions.map((region, index) => (
        <RegionLabel key={region.bbox.join(",")} region={region} index={index} extent={extent} />
      ))}
    </div>
  );
}
