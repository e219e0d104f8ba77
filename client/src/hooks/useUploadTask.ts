import { useEffect, useState } from "react";
import type { UploadStage } from "../api";

export type TaskState<T> =
  | { status: "idle" }
  | { status: "running"; stage: UploadStage; startedAt: number }
  | { status: "done"; result: T; seconds: number }
  | { status: "failed"; error: string };

export type UploadJob<T> = (signal: AbortSignal, onStage: (stage: UploadStage) => void) => Promise<T>;

/**
 * Run `job` whenever `deps` change (idle while it is null); a newer run or unmounting
 * cancels the older one, so a stale answer never shows.
 */
export function useUploadTask<T>(job: UploadJob<T> | null, deps: readonly unknown[]): TaskState<T> {
  const [state, setState] = useState<TaskState<T>>({ status: "idle" });

  useEffect(() => {
    if (job === null) {
      setState({ status: "idle" });
      return;
    }
    const controller = new AbortController();
    const startedAt = performance.now();
    setState({ status: "running", stage: "uploading", startedAt });
    job(controller.signal, (stage) => {
      if (!controller.signal.aborted) setState({ status: "running", stage, startedAt });
    }).then(
      (result) => {
        if (!controller.signal.aborted) {
          setState({ status: "done", result, seconds: (performance.now() - startedAt) / 1000 });
        }
      },
      (error: unknown) => {
        if (!controller.signal.aborted) {
          setState({ status: "failed", error: error instanceof Error ? error.message : String(error) });
        }
      },
    );
    return () => controller.abort();
    // The caller names what the job depends on (the job itself is a new closure every render).
  }, deps);

  return state;
}
