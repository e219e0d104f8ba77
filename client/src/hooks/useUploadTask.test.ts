import { act, renderHook } from "@testing-library/react";
import type { UploadJob } from "./useUploadTask";
import { useUploadTask } from "./useUploadTask";

function controllable() {
  const jobs: { resolve: (v: string) => void; reject: (e: Error) => void; signal: AbortSignal; stage: (s: "processing") => void }[] = [];
  const job: UploadJob<string> = (signal, onStage) =>
    new Promise((resolve, reject) => jobs.push({ resolve, reject, signal, stage: onStage }));
  return { jobs, job };
}

describe("useUploadTask", () => {
  it("goes from uploading to processing to done", async () => {
    const { jobs, job } = controllable();
    const { result } = renderHook(() => useUploadTask(job, [1]));
    expect(result.current).toMatchObject({ status: "running", stage: "uploading" });
    act(() => jobs[0].stage("processing"));
    expect(result.current).toMatchObject({ status: "running", stage: "processing" });
    await act(async () => jobs[0].resolve("report"));
    expect(result.current).toMatchObject({ status: "done", result: "report" });
  });

  it("cancels the older run when its inputs change, so a stale answer never shows", async () => {
    const { jobs, job } = controllable();
    const { result, rerender } = renderHook(({ key }) => useUploadTask(job, [key]), { initialProps: { key: "a" } });
    rerender({ key: "b" });
    expect(jobs[0].signal.aborted).toBe(true);
    await act(async () => jobs[1].resolve("answer for b"));
    await act(async () => jobs[0].resolve("answer for a"));
    expect(result.current).toMatchObject({ status: "done", result: "answer for b" });
  });

  it("reports a failure's message and is idle without a job", async () => {
    const { jobs, job } = controllable();
    const { result, rerender } = renderHook(({ on }) => useUploadTask(on ? job : null, [on]), {
      initialProps: { on: true },
    });
    await act(async () => jobs[0].reject(new Error("The file is empty.")));
    expect(result.current).toEqual({ status: "failed", error: "The file is empty." });
    rerender({ on: false });
    expect(result.current).toEqual({ status: "idle" });
  });
});
