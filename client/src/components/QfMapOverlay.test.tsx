import { render, screen } from "@testing-library/react";
import { useMapCells } from "../hooks/useMapCells";
import { DEFAULT_OVERLAY, qualityColour } from "../qfmap";
import { qfMaps } from "../test/reports";
import { QfMapOverlay } from "./QfMapOverlay";

vi.mock("../hooks/useMapCells", () => ({ useMapCells: vi.fn() }));

// 2 x 3 cells of a 20 x 21 image on the grid (3, 5); the region is cell (0, 1)
const maps = qfMaps({
  rows: 2,
  columns: 3,
  regions: [{ bbox: [11, 0, 8, 13], area: 64, quality: 20, rest_quality: 0 }],
});
const extent = { width: 20, height: 21 };
const decoded: Record<string, number[]> = {
  [maps.quality_png]: [0, 20, 0, 0, 0, 0],
  [maps.flag_png]: [0, 255, 0, 0, 0, 0],
  [maps.different_png]: [0, 255, 0, 0, 0, 0],
};
const putImageData = vi.fn();

beforeEach(() => {
  vi.mocked(useMapCells).mockImplementation((url) => Uint8ClampedArray.from(decoded[url]));
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue({ putImageData } as never);
  // jsdom has no ImageData
  vi.stubGlobal(
    "ImageData",
    class {
      constructor(
        readonly data: Uint8ClampedArray,
        readonly width: number,
        readonly height: number,
      ) {}
    },
  );
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("QfMapOverlay", () => {
  it("draws nothing while switched off", () => {
    const { container } = render(<QfMapOverlay maps={maps} extent={extent} settings={DEFAULT_OVERLAY} />);
    expect(container).toBeEmptyDOMElement();
  });

  it("lays the colourised cells on their blocks, outlines the region and labels it", () => {
    render(<QfMapOverlay maps={maps} extent={extent} settings={{ shown: true, kind: "quality", opacity: 0.4 }} />);
    expect(screen.getByRole("img")).toHaveAccessibleName(
      "QF map over the image. 1 region with a different compression history.",
    );
    // padded to 3 x 4 cells of 8 px from (-5, -3): the image is 20 x 21
    const layer = screen.getByTestId("qf-map-layer");
    expect(layer).toHaveAttribute("width", "4");
    expect(layer).toHaveAttribute("height", "3");
    expect(layer).toHaveStyle({ left: "-25%", top: `${(-100 * 3) / 21}%`, width: "160%", opacity: "0.4" });
    // first padded row: the repeated cell (0, 0), cells (0, 0), (0, 1) = QF 20, (0, 2)
    const [image] = putImageData.mock.calls.at(-1)!;
    expect([...image.data.slice(0, 16)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, ...qualityColour(20), 0, 0, 0, 0]);

    expect(screen.getByTestId("region-outline")).toHaveAttribute("d", "M11 0H19M11 13H19M11 0V13M19 0V13");
    expect(screen.getByTestId("region-label")).toHaveTextContent("1 · QF 20 vs rest uncompressed");
    expect(screen.getByTestId("region-label")).toHaveClass("end"); // in the right half: tagged at its right
    expect(screen.getByTestId("region-label").parentElement).toHaveStyle({ left: "55%", width: "40%" });
  });

  it("shows the compression flag when chosen", () => {
    render(<QfMapOverlay maps={maps} extent={extent} settings={{ shown: true, kind: "flag", opacity: 1 }} />);
    expect(useMapCells).toHaveBeenCalledWith(maps.flag_png, 2, 3);
    const [image] = putImageData.mock.calls.at(-1)!;
    expect([...image.data.slice(8, 12)]).toEqual([217, 119, 6, 255]);
  });
});
