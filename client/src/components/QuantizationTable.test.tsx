import { render, screen, within } from "@testing-library/react";
import { QuantizationTable, stepColour } from "./QuantizationTable";

describe("QuantizationTable", () => {
  it("shows the 64 steps as 8 rows of 8 in natural order", () => {
    const steps = Array.from({ length: 64 }, (_, i) => i + 1);
    render(<QuantizationTable title="Luma quantization table" steps={steps} />);
    const table = screen.getByRole("table", { name: "Luma quantization table" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(8);
    expect(within(rows[1]).getAllByRole("cell").map((c) => c.textContent)).toEqual(
      ["9", "10", "11", "12", "13", "14", "15", "16"],
    );
  });

  it("colours fine steps cool and coarse steps hot", () => {
    expect(stepColour(1)).toBe("hsl(220 75% 88%)");
    expect(stepColour(255)).toBe("hsl(0 75% 50%)");
  });
});
