import { render, screen } from "@testing-library/react";
import type { PartitionPrediction, SourceFacts } from "../report";
import { PartitionMap, ownedRegions } from "./PartitionMap";

function square(top: number, left: number, single: number, size = 256): PartitionPrediction {
  return { top, left, size, probabilities: { none: 1 - single, single, double: 0 }, quality: single > 0.5 ? 12.4 : null, primary: null };
}

const source = { width: 384, height: 256 } as SourceFacts;

describe("ownedRegions", () => {
  it("gives the overlap of a flush last square to its earlier neighbour", () => {
    // 384 px wide: squares at left 0 and, flush with the last block, at left 128.
    const regions = ownedRegions([square(0, 0, 0.9), square(0, 128, 0.1)]);
    expect(regions).toEqual([
      { top: 0, left: 0, width: 256, height: 256 },
      { top: 0, left: 256, width: 128, height: 256 },
    ]);
  });

  it("handles rows as well as columns, on a shifted grid", () => {
    const regions = ownedRegions([square(5, 3, 0), square(5, 259, 0), square(200, 3, 0), square(200, 259, 0)]);
    expect(regions[2]).toEqual({ top: 261, left: 3, width: 256, height: 195 });
    expect(regions[3]).toEqual({ top: 261, left: 259, width: 256, height: 195 });
  });
});

describe("PartitionMap", () => {
  it("draws each square where it lies, named by its verdict", () => {
    render(<PartitionMap partitions={[square(0, 0, 0.9), square(0, 128, 0.1)]} imageUrl="blob:x" source={source} />);
    const cells = screen.getAllByTestId("partition");
    expect(cells).toHaveLength(2);
    expect(cells[0]).toHaveClass("single");
    expect(cells[0]).toHaveStyle({ left: "0%", width: `${(100 * 256) / 384}%` });
    expect(cells[0]).toHaveAttribute("title", "256-px square at (0, 0): Compressed once (90%), QF ≈ 12");
    expect(cells[1]).toHaveClass("none");
    expect(cells[1]).toHaveStyle({ left: `${(100 * 256) / 384}%` });
  });
});
