import { act, fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiError, analyzeImage, fetchModels, restoreImage, type Restoration } from "./api";
import { App } from "./App";
import type { Report } from "./report";
import { qfMaps, report } from "./test/reports";

vi.mock("./api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("./api")>()),
  analyzeImage: vi.fn(),
  restoreImage: vi.fn(),
  fetchModels: vi.fn(),
}));

// jsdom decodes no images: the maps' cells stay undecoded (the overlay's frame, outline-less)
vi.mock("./hooks/useMapCells", () => ({ useMapCells: () => null }));

const analyze = vi.mocked(analyzeImage);
const restore = vi.mocked(restoreImage);

const restoration: Restoration = {
  png: new Blob(["png"]),
  model: "restore-psnr",
  quality: 10,
  qualitySource: "analysis",
  ensemble: false,
};

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function pickFile(name: string) {
  await userEvent.upload(screen.getByLabelText("Image file"), new File(["bytes"], name, { type: "image/png" }));
}

beforeEach(() => {
  vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: vi.fn(() => "blob:test"), revokeObjectURL: vi.fn() }));
  vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
  vi.mocked(fetchModels).mockResolvedValue({
    default: "restore-psnr",
    models: [
      { name: "restore-psnr", available: true, default: true, gray_specialist: false, card: "# restore-psnr\nTrained for PSNR." },
      { name: "restore-gan", available: true, default: false, gray_specialist: false, card: "# restore-gan" },
    ],
  });
  restore.mockResolvedValue(restoration);
});
afterEach(() => {
  vi.clearAllMocks();
  vi.unstubAllGlobals();
});

describe("the page", () => {
  it("shows progress while analysing, then the verdict, and restores a compressed image at once", async () => {
    const answer = deferred<Report>();
    analyze.mockReturnValue(answer.promise);
    render(<App />);
    await pickFile("cat.jpg");

    expect(screen.getByRole("img", { name: "Preview of cat.jpg" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Uploading…");
    await act(async () => answer.resolve(report("single")));

    expect(screen.getByTestId("verdict")).toHaveTextContent("Compressed once");
    expect(screen.getByTestId("announcement")).toHaveTextContent("Compressed once, confidence 91%.");
    expect(await screen.findByRole("heading", { name: "Before / after" })).toBeInTheDocument();
    expect(restore).toHaveBeenCalledTimes(1);
    expect(restore.mock.calls[0][1]).toEqual({ model: undefined, quality: undefined, ensemble: false });
    expect(screen.getByRole("link", { name: "Download restored PNG" })).toHaveAttribute("download", "cat.restored.png");
    expect(screen.getByTestId("restoration-done")).toHaveTextContent(
      "Restored by restore-psnr at QF 10 (estimated from the pixels)",
    );
  });

  it("restores a never-compressed image only when forced", async () => {
    analyze.mockResolvedValue(report("none"));
    render(<App />);
    await pickFile("clean.png");
    expect(await screen.findByTestId("verdict")).toHaveTextContent("Never compressed");
    expect(restore).not.toHaveBeenCalled();
    expect(screen.queryByRole("heading", { name: "Before / after" })).toBeNull();

    await userEvent.click(screen.getByRole("switch", { name: "Force restore" }));
    expect(await screen.findByRole("heading", { name: "Before / after" })).toBeInTheDocument();
    expect(restore).toHaveBeenCalledTimes(1);
  });

  it("restores again with the chosen model and QF override", async () => {
    analyze.mockResolvedValue(report("single"));
    render(<App />);
    await pickFile("cat.jpg");
    await screen.findByRole("heading", { name: "Before / after" });

    await userEvent.selectOptions(await screen.findByRole("combobox", { name: "Model" }), "restore-gan");
    expect(restore).toHaveBeenLastCalledWith(expect.any(File), { model: "restore-gan", quality: undefined, ensemble: false }, expect.anything(), expect.any(Function));

    const override = screen.getByRole("spinbutton", { name: "Quality factor override" });
    await userEvent.type(override, "150");
    expect(override).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("button", { name: "Apply" })).toBeDisabled();
    await userEvent.clear(override);
    await userEvent.type(override, "25{Enter}");
    expect(restore).toHaveBeenLastCalledWith(expect.any(File), { model: "restore-gan", quality: 25, ensemble: false }, expect.anything(), expect.any(Function));
    expect(screen.getByText("About restore-gan")).toBeInTheDocument();

    restore.mockResolvedValue({ ...restoration, model: "restore-gan", quality: 25, qualitySource: "given", ensemble: true });
    await userEvent.click(screen.getByRole("switch", { name: "Self-ensemble" }));
    expect(restore).toHaveBeenLastCalledWith(expect.any(File), { model: "restore-gan", quality: 25, ensemble: true }, expect.anything(), expect.any(Function));
    expect(await screen.findByTestId("restoration-done")).toHaveTextContent(
      "Restored by restore-gan (8-orientation ensemble) at QF 25 (your override)",
    );
  });

  it("shows an API error next to the input and stays usable", async () => {
    analyze.mockRejectedValueOnce(new ApiError("The file is not an image deJPEG can read.", "not_an_image", 415));
    render(<App />);
    await pickFile("notes.txt");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not analyse notes.txt: The file is not an image deJPEG can read.",
    );

    analyze.mockResolvedValue(report("single"));
    await pickFile("cat.jpg");
    expect(await screen.findByTestId("verdict")).toHaveTextContent("Compressed once");
    expect(screen.queryByText(/Could not analyse/)).toBeNull();
  });

  it("says so when a restoration fails, keeping the verdict", async () => {
    analyze.mockResolvedValue(report("double"));
    restore.mockRejectedValue(new ApiError("The server does not offer this feature yet.", "http_error", 404));
    render(<App />);
    await pickFile("cat.jpg");
    expect(await screen.findByText("Restoration failed: The server does not offer this feature yet.")).toBeInTheDocument();
    expect(screen.getByTestId("verdict")).toHaveTextContent("Compressed twice");
  });

  it("takes an image dropped anywhere or pasted", async () => {
    analyze.mockResolvedValue(report("single"));
    render(<App />);
    const dropped = new File(["a"], "dropped.jpg", { type: "image/jpeg" });
    const transfer = { types: ["Files"], files: [dropped] };
    fireEvent.dragEnter(window, { dataTransfer: transfer });
    expect(screen.getByText("Drop the image to analyse it")).toBeInTheDocument();
    fireEvent.drop(window, { dataTransfer: transfer });
    expect(screen.queryByText("Drop the image to analyse it")).toBeNull();
    expect(await screen.findByRole("img", { name: "Preview of dropped.jpg" })).toBeInTheDocument();

    const pasted = new File(["b"], "pasted.png", { type: "image/png" });
    fireEvent.paste(window, { clipboardData: { files: [pasted], items: [] } });
    expect(await screen.findByRole("img", { name: "Preview of pasted.png" })).toBeInTheDocument();
    expect(analyze).toHaveBeenCalledTimes(2);
  });

  it("draws the QF map over the image and the comparison's Before side when switched on", async () => {
    analyze.mockResolvedValue(report("single", { maps: qfMaps() }));
    render(<App />);
    await pickFile("collage.png");
    const comparison = (await screen.findByRole("heading", { name: "Before / after" })).closest("section")!;
    expect(screen.getByTestId("maps-summary")).toHaveTextContent("1 region with a different compression history");
    expect(screen.queryByTestId("qf-map-overlay")).toBeNull();

    await userEvent.click(screen.getByRole("switch", { name: "Map overlay" }));
    const overlays = screen.getAllByTestId("qf-map-overlay");
    expect(overlays).toHaveLength(2);
    expect(overlays[0].previousElementSibling).toHaveAccessibleName("Preview of collage.png");
    expect(overlays[1].previousElementSibling).toHaveAccessibleName("Before: the uploaded image");
    expect(within(comparison).getByTestId("region-label")).toHaveTextContent("QF 21 vs rest uncompressed");
  });

  it("says when a report comes without maps", async () => {
    analyze.mockResolvedValue(report("single"));
    render(<App />);
    await pickFile("cat.jpg");
    expect(await screen.findByTestId("maps-summary")).toHaveTextContent("No QF maps in this report");
  });

  it("zooms both sides together from the keyboard; fullscreen opens and leaves with Escape", async () => {
    analyze.mockResolvedValue(report("single"));
    render(<App />);
    await pickFile("cat.jpg");
    const heading = await screen.findByRole("heading", { name: "Before / after" });
    const comparison = heading.closest("section")!;
    const frame = within(comparison).getByRole("group", { name: /^Comparison/ });
    frame.focus();
    await userEvent.keyboard("+");
    expect(within(comparison).getByLabelText("Zoom level")).toHaveTextContent("125%");
    const [before, after] = within(comparison)
      .getAllByRole("img")
      .map((img) => img.closest<HTMLElement>(".zoomed")!.style.transform);
    expect(before).toBe("translate(-12.5%, -12.5%) scale(1.25)");
    expect(after).toBe(before); // one zoom for both sides
    await userEvent.keyboard("0");
    expect(within(comparison).getByLabelText("Zoom level")).toHaveTextContent("100%");

    await userEvent.click(within(comparison).getByRole("button", { name: "Fullscreen" }));
    expect(screen.getByRole("dialog", { name: "Before / after" })).toHaveClass("fullscreen");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(within(comparison).getByRole("button", { name: "Fullscreen" })).toHaveAttribute("aria-pressed", "false");
  });
});
