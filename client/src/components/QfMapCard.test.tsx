import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { DEFAULT_OVERLAY, type OverlaySettings } from "../qfmap";
import type { QfMaps } from "../report";
import { qfMaps, report } from "../test/reports";
import { OverlayToggleButton, QfMapCard } from "./QfMapCard";

const source = report("none").source; // 384 x 256

/** The card with its settings held as the page holds them; `seen` gets every change. */
function Card({ maps, seen }: { maps: QfMaps | null; seen?: (s: OverlaySettings) => void }) {
  const [settings, setSettings] = useState(DEFAULT_OVERLAY);
  const onSettings = (s: OverlaySettings) => {
    seen?.(s);
    setSettings(s);
  };
  return (
    <>
      <QfMapCard maps={maps} source={source} settings={settings} onSettings={onSettings} />
      <OverlayToggleButton settings={settings} onSettings={onSettings} />
    </>
  );
}

describe("QfMapCard", () => {
  it("sums up the dominant history and lists each region that differs, with its box", () => {
    const small = { bbox: [0, 0, 8, 8] as [number, number, number, number], area: 64, quality: 90, rest_quality: 0 };
    render(<Card maps={qfMaps({ regions: [...qfMaps().regions, small] })} />);
    expect(screen.getByTestId("maps-summary")).toHaveTextContent(
      "Dominant history: uncompressed. 2 regions with a different compression history.",
    );
    const [large, tiny] = screen.getAllByRole("listitem");
    expect(large).toHaveTextContent("QF 21 vs rest uncompressed x 171–338, y 61–212 · 22,976 px (23% of the image)");
    expect(tiny).toHaveTextContent("QF 90 vs rest uncompressed x 0–7, y 0–7 · 64 px (<1% of the image)");
  });

  it("says so when no region differs, and when the report has no maps", () => {
    const { unmount } = render(<Card maps={qfMaps({ regions: [], dominant: { compressed: true, quality: 75 } })} />);
    expect(screen.getByTestId("maps-summary")).toHaveTextContent(
      "Dominant history: QF 75. No region differs from the rest of the image.",
    );
    expect(screen.queryByRole("list")).toBeNull();
    unmount();
    render(<Card maps={null} />);
    expect(screen.getByTestId("maps-summary")).toHaveTextContent("No QF maps in this report");
    expect(screen.queryByRole("switch")).toBeNull();
  });

  it("switches the overlay from the keyboard, picks the map and its opacity, and shows the legend", async () => {
    const seen = vi.fn();
    render(<Card maps={qfMaps()} seen={seen} />);
    const overlay = screen.getByRole("switch", { name: "Map overlay" });
    expect(overlay).not.toBeChecked();
    expect(screen.queryByTestId("qf-legend")).toBeNull();

    overlay.focus();
    await userEvent.keyboard(" ");
    expect(overlay).toBeChecked();
    expect(seen).toHaveBeenLastCalledWith({ shown: true, kind: "quality", opacity: 0.6 });
    // the QF scale with its ticks
    expect(screen.getByTestId("qf-legend")).toHaveTextContent(/none.*1.*20.*40.*60.*80.*100/);
    expect(screen.getByRole("button", { name: "Map overlay" })).toHaveAttribute("aria-pressed", "true");

    const opacity = screen.getByRole("slider", { name: /Opacity/ });
    expect(opacity).toHaveValue("60");
    fireEvent.change(opacity, { target: { value: "50" } }); // jsdom's range has no arrow keys
    expect(opacity).toHaveValue("50");
    expect(seen).toHaveBeenLastCalledWith({ shown: true, kind: "quality", opacity: 0.5 });
    expect(screen.getByText("50%")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("radio", { name: "Compression flag" }));
    expect(seen).toHaveBeenLastCalledWith({ shown: true, kind: "flag", opacity: 0.5 });
    expect(screen.getByTestId("qf-legend")).toHaveTextContent("compressed");

    await userEvent.click(screen.getByRole("button", { name: "Map overlay" })); // off from the comparison
    expect(overlay).not.toBeChecked();
  });
});
