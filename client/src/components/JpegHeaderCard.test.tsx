import { render, screen } from "@testing-library/react";
import { jpegFacts, report } from "../test/reports";
import { JpegHeaderCard } from "./JpegHeaderCard";

const source = report("single").source;

describe("JpegHeaderCard", () => {
  it("shows the header QF, subsampling, encoding and both tables", () => {
    render(<JpegHeaderCard jpeg={jpegFacts({ progressive: true })} source={source} />);
    expect(screen.getByTestId("header-qf")).toHaveTextContent("10");
    expect(screen.getByText("4:2:0")).toBeInTheDocument();
    expect(screen.getByText("progressive")).toBeInTheDocument();
    expect(screen.getByText("Standard IJG (libjpeg) quantization tables.")).toBeInTheDocument();
    expect(screen.getByRole("table", { name: "Luma quantization table" })).toBeInTheDocument();
    expect(screen.getByRole("table", { name: "Chroma quantization table" })).toBeInTheDocument();
    expect(screen.queryByRole("note")).toBeNull();
  });

  it("warns about non-standard tables with the nearest IJG quality", () => {
    const camera = jpegFacts({ quality: 93, standard_tables: false, table_fit_error: 0.071, camera: "Canon EOS 5D" });
    render(<JpegHeaderCard jpeg={{ ...camera, quantization: { ...camera.quantization, chroma: null } }} source={source} />);
    expect(screen.getByRole("note")).toHaveTextContent(
      "Non-standard quantization tables: not libjpeg's at any quality (camera, editor or optimised encoder). The header QF 93 is the nearest IJG quality (fit error 0.07).",
    );
    expect(screen.getByText("Canon EOS 5D")).toBeInTheDocument();
    expect(screen.queryByRole("table", { name: "Chroma quantization table" })).toBeNull();
  });

  it("says when the file is not a JPEG", () => {
    render(<JpegHeaderCard jpeg={null} source={report("none").source} />);
    expect(screen.getByText(/A PNG file, not a JPEG/)).toBeInTheDocument();
    expect(screen.queryByRole("table")).toBeNull();
  });
});
