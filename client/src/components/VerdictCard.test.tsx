import { render, screen } from "@testing-library/react";
import { report } from "../test/reports";
import { VerdictCard } from "./VerdictCard";

describe("VerdictCard", () => {
  it("states a single compression with its confidence, pixel QF and grid", () => {
    render(<VerdictCard report={report("single")} />);
    expect(screen.getByTestId("verdict")).toHaveTextContent("Compressed once · confidence 91%");
    expect(screen.getByTestId("pixel-qf")).toHaveTextContent("10");
    expect(screen.queryByTestId("primary-qf")).toBeNull();
    expect(screen.getByTestId("grid")).toHaveTextContent("dx 0, dy 0 (confidence 100%)");
  });

  it("gives the primary QF of a double compression", () => {
    render(<VerdictCard report={report("double")} />);
    expect(screen.getByTestId("verdict")).toHaveTextContent("Compressed twice");
    expect(screen.getByText("Last quality factor (pixels)")).toBeInTheDocument();
    expect(screen.getByTestId("primary-qf")).toHaveTextContent("42");
  });

  it("shows no QF for never-compressed pixels and calls a weak grid a guess", () => {
    render(<VerdictCard report={report("none")} />);
    expect(screen.getByTestId("verdict")).toHaveTextContent("Never compressed");
    expect(screen.queryByTestId("pixel-qf")).toBeNull();
    expect(screen.getByTestId("grid")).toHaveTextContent("no clear 8×8 grid (best guess dx 0, dy 7, confidence 1%)");
  });
});
