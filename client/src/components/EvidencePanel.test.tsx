import { render, screen } from "@testing-library/react";
import { report } from "../test/reports";
import { EvidencePanel } from "./EvidencePanel";

describe("EvidencePanel", () => {
  it("holds partitions, histograms, estimators and timings, folded until asked for", async () => {
    render(<EvidencePanel report={report("single")} imageUrl="blob:x" restorationSeconds={2.4} />);
    expect(screen.getByText("Evidence").closest("details")).not.toHaveAttribute("open");
    expect(screen.getByRole("heading", { name: "Where: per-square predictions" })).toBeInTheDocument();
    expect(screen.getAllByTestId("partition")).toHaveLength(1);
    expect(screen.getByRole("heading", { name: "DCT coefficient histograms" })).toBeInTheDocument();
    // the chart library loads on demand
    const caption = await screen.findByText(/^Frequency \(0, 1\)/, {}, { timeout: 15_000 });
    expect(caption).toHaveTextContent("Frequency (0, 1) · step 2: a comb (dashed: its multiples)");
    expect(screen.getByText("quantized")).toBeInTheDocument();
    expect(screen.getByRole("row", { name: "classical 818 ms" })).toBeInTheDocument();
    expect(screen.getByRole("row", { name: "restoration (round trip) 2.4 s" })).toBeInTheDocument();
  });

  it("leaves out what the report does not hold", () => {
    const bare = report("none");
    bare.evidence = {};
    render(<EvidencePanel report={bare} imageUrl="blob:x" />);
    expect(screen.queryByRole("heading", { name: "DCT coefficient histograms" })).toBeNull();
    expect(screen.queryByTestId("partition")).toBeNull();
    expect(screen.getByRole("row", { name: "analysis total 912 ms" })).toBeInTheDocument();
  });
});
