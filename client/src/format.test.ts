import { bytes, duration, percent, qualityFactor, restoredFileName } from "./format";

describe("restoredFileName", () => {
  it.each([
    ["photo.jpg", "photo.restored.png"],
    ["holiday.final.JPEG", "holiday.final.restored.png"],
    ["scan", "scan.restored.png"],
    [".hidden", ".hidden.restored.png"],
    ["", "image.restored.png"],
    ["C:\\photos\\cat.png", "cat.restored.png"],
  ])("%s -> %s", (name, expected) => {
    expect(restoredFileName(name)).toBe(expected);
  });
});

describe("plain numbers", () => {
  it("rounds quality factors and marks missing ones", () => {
    expect(qualityFactor(9.6)).toBe("10");
    expect(qualityFactor(null)).toBe("—");
  });
  it("formats percentages, sizes and durations", () => {
    expect(percent(0.9275)).toBe("93%");
    expect(bytes(512)).toBe("512 B");
    expect(bytes(5503)).toBe("5.4 KB");
    expect(bytes(3 * 1024 * 1024)).toBe("3.0 MB");
    expect(duration(817.8)).toBe("818 ms");
    expect(duration(5585)).toBe("5.6 s");
  });
});
