import { histogramRows, stepMultiples } from "./DctHistogramCharts";

describe("DCT histogram data", () => {
  it("labels each count with its coefficient value", () => {
    const rows = histogramRows({ index: 1, u: 0, v: 1, step: 1, counts: [4, 0, 9] }, -1);
    expect(rows).toEqual([
      { value: -1, count: 4 },
      { value: 0, count: 0 },
      { value: 1, count: 9 },
    ]);
  });

  it("marks the multiples of a step inside the bins, none without a step", () => {
    expect(stepMultiples(55, -60, 60)).toEqual([-55, 0, 55]);
    expect(stepMultiples(20, -60, 60)).toEqual([-60, -40, -20, 0, 20, 40, 60]);
    expect(stepMultiples(1, -60, 60)).toEqual([]);
  });
});
