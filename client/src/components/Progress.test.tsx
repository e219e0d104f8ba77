import { act, render, screen } from "@testing-library/react";
import { Progress } from "./Progress";

describe("Progress", () => {
  afterEach(() => vi.useRealTimers());

  it("counts the elapsed seconds", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] });
    render(<Progress label="Analysing the pixels…" startedAt={performance.now()} />);
    expect(screen.getByRole("status")).toHaveTextContent("Analysing the pixels…0.0 s");
    act(() => vi.advanceTimersByTime(2500));
    expect(screen.getByRole("status")).toHaveTextContent("Analysing the pixels…2.5 s");
  });
});
