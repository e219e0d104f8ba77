import {
  cellEdges,
  cellLayer,
  colourise,
  flagColour,
  outlinePath,
  qualityColour,
  qualityGradient,
  regionCount,
  regionLabel,
  regionTag,
} from "./qfmap";
import { qfMaps } from "./test/reports";

const cells = (...values: number[]) => Uint8ClampedArray.from(values);

describe("colours", () => {
  it("puts QF 1..100 on viridis, opaque, and leaves never-compressed cells clear", () => {
    expect(qualityColour(0)).toEqual([0, 0, 0, 0]);
    expect(qualityColour(1)).toEqual([0x44, 0x01, 0x54, 255]);
    expect(qualityColour(100)).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(qualityColour(50.5)).toEqual([0x21, 0x91, 0x8c, 255]); // the middle stop
    // perceptually ordered: lighter with every step of QF
    const lightness = [1, 12, 25, 37, 50, 62, 75, 87, 100].map((q) => {
      const [r, g, b] = qualityColour(q);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    });
    expect(lightness).toEqual([...lightness].sort((a, b) => a - b));
    expect(qualityGradient()).toMatch(/^linear-gradient\(to right, rgb\(68 1 84\) 0\.0%, .* rgb\(253 231 37\) 100\.0%\)$/);
  });

  it("shows the flag's compressed cells in amber, the rest clear", () => {
    expect(flagColour(255)).toEqual([217, 119, 6, 255]);
    expect(flagColour(0)[3]).toBe(0);
  });

  it("colourises grey cells into RGBA pixels, 4 bytes per cell", () => {
    const rgba = colourise(cells(0, 1, 100), qualityColour);
    expect([...rgba]).toEqual([0, 0, 0, 0, 0x44, 0x01, 0x54, 255, 0xfd, 0xe7, 0x25, 255]);
  });
});

describe("cellLayer", () => {
  it("repeats the first row and column for the pixels before dy and dx, one cell before the image", () => {
    // 2 x 3 cells on the grid (3, 5): 3 x 4 once padded
    const layer = cellLayer(cells(1, 2, 3, 4, 5, 6), qfMaps({ rows: 2, columns: 3 }));
    expect([...layer.cells]).toEqual([1, 1, 2, 3, 1, 1, 2, 3, 4, 4, 5, 6]);
    expect([layer.rows, layer.columns]).toEqual([3, 4]);
    expect(layer.box).toEqual({ left: -5, top: -3, width: 32, height: 24 });
  });

  it("lays an aligned grid as it is", () => {
    const layer = cellLayer(cells(7, 8), qfMaps({ rows: 1, columns: 2, dx: 0, dy: 0 }));
    expect([...layer.cells]).toEqual([7, 8]);
    expect(layer.box).toEqual({ left: 0, top: 0, width: 16, height: 8 });
  });
});

describe("outlinePath", () => {
  // A 20 x 21 image on the grid (3, 5): rows of pixels 0-12, 13-20; columns 0-10, 11-18, 19
  const xs = cellEdges(3, 3, 8, 20);
  const ys = cellEdges(5, 2, 8, 21);

  it("puts the cell edges on the grid, the first and last cells ending at the image's edges", () => {
    expect(xs).toEqual([0, 11, 19, 20]);
    expect(ys).toEqual([0, 13, 21]);
  });

  it("traces one marked cell as its four sides", () => {
    const mask = cells(0, 255, 0, 0, 0, 0);
    expect(outlinePath(mask, 2, 3, xs, ys)).toBe("M11 0H19M11 13H19M11 0V13M19 0V13");
  });

  it("traces an L-shaped region as one run per straight boundary, along the image's edge too", () => {
    // marked: (0, 0), (1, 0), (1, 1)
    const mask = cells(255, 0, 0, 255, 255, 0);
    expect(outlinePath(mask, 2, 3, xs, ys)).toBe(
      "M0 0H11M11 13H19M0 21H19" + // horizontal: top, the step, bottom
        "M0 0V21M11 0V13M19 13V21", // vertical: left edge, the step, right side
    );
  });

  it("is empty when no cell is marked", () => {
    expect(outlinePath(cells(0, 0, 0, 0, 0, 0), 2, 3, xs, ys)).toBe("");
  });
});

describe("words", () => {
  it("labels a region by its QF against the rest's", () => {
    const region = { bbox: [0, 0, 8, 8] as [number, number, number, number], area: 64, quality: 20.6, rest_quality: 0 };
    expect(regionLabel(region)).toBe("QF 21 vs rest uncompressed");
    expect(regionLabel({ ...region, quality: 0, rest_quality: 75 })).toBe("uncompressed vs rest QF 75");
    expect(regionTag(region, 0)).toBe("1 · QF 21 vs rest uncompressed");
    expect(regionTag(region, 5)).toBe("6"); // past the five largest: its number in the list only
  });

  it("counts the regions", () => {
    expect(regionCount(0)).toBe("No region differs from the rest of the image");
    expect(regionCount(1)).toBe("1 region with a different compression history");
    expect(regionCount(3)).toBe("3 regions with a different compression history");
  });
});
