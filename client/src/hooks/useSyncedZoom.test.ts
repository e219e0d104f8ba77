import { FIT, MAX_SCALE, clampView, panBy, zoomAt } from "./useSyncedZoom";

describe("zoom and pan (frame units)", () => {
  it("keeps the point under the pointer fixed when zooming", () => {
    const view = zoomAt(FIT, 2, 0.25, 0.2);
    expect(view.scale).toBe(2);
    // image point (0.25, 0.2) stays at frame point (0.25, 0.2): x + 0.25 * scale = 0.25
    expect(view.x + 0.25 * view.scale).toBeCloseTo(0.25);
    expect(view.y + 0.2 * view.scale).toBeCloseTo(0.2);
    const further = zoomAt(view, 1.5, 0.25, 0.2);
    expect(further.x + 0.25 * further.scale).toBeCloseTo(0.25);
  });

  it("never zooms out past the fit nor in past the maximum", () => {
    expect(zoomAt(FIT, 0.5, 0.5, 0.5)).toEqual(FIT);
    expect(zoomAt({ scale: 30, x: 0, y: 0 }, 4, 0, 0).scale).toBe(MAX_SCALE);
  });

  it("pans only as far as the image still covers the frame", () => {
    const zoomed = { scale: 2, x: -0.25, y: -0.25 };
    expect(panBy(zoomed, 0.125, 0)).toEqual({ scale: 2, x: -0.125, y: -0.25 });
    expect(panBy(zoomed, 5, 5)).toEqual({ scale: 2, x: 0, y: 0 });
    expect(panBy(zoomed, -5, -5)).toEqual({ scale: 2, x: -1, y: -1 });
    expect(panBy(FIT, 0.1, 0.1)).toEqual(FIT);
  });

  it("clamps a view that is out of bounds", () => {
    expect(clampView({ scale: 0.5, x: 0.1, y: 0.1 })).toEqual(FIT);
  });
});
