// The JSON API of the Flask server (same origin; Vite proxies /api in development).
import type { Report, RestorerModels } from "./report";

/** An error the user can read: the server's own message or a plain description. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type UploadStage = "uploading" | "processing";

interface Answer {
  status: number;
  headers: (name: string) => string | null;
  body: Blob;
}

const STATUS_WORDS: Record<number, string> = {
  404: "The server does not offer this feature yet.",
  413: "The file is too large for the server.",
  502: "The server is not answering (bad gateway).",
  503: "The server is busy or restarting; try again in a moment.",
  504: "The server took too long to answer.",
};

async function errorOf(answer: Answer): Promise<ApiError> {
  try {
    const { error } = JSON.parse(await answer.body.text());
    if (error?.message) return new ApiError(error.message, error.code ?? "error", answer.status);
  } catch {
    // not the API's JSON error shape: describe the status instead
  }
  const words = STATUS_WORDS[answer.status] ?? `The server answered with an error (HTTP ${answer.status}).`;
  return new ApiError(words, "http_error", answer.status);
}

/**
 * POST a multipart form with upload progress (fetch has none): `onStage("processing")` fires
 * once the request body is sent. Aborting `signal` cancels the request.
 */
function postForm(url: string, form: FormData, signal: AbortSignal, onStage?: (s: UploadStage) => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.responseType = "blob";
    xhr.upload.onload = () => onStage?.("processing");
    xhr.onload = () =>
      resolve({ status: xhr.status, headers: (name) => xhr.getResponseHeader(name), body: xhr.response as Blob });
    xhr.onerror = () => reject(new ApiError("Cannot reach the deJPEG server. Is it running?", "network", 0));
    xhr.onabort = () => reject(new DOMException("The request was cancelled.", "AbortError"));
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    onStage?.("uploading");
    xhr.send(form);
  });
}

function imageForm(image: File, fields: Record<string, string | undefined> = {}): FormData {
  const form = new FormData();
  form.append("image", image, image.name);
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) form.append(key, value);
  return form;
}

/** Analyse an image, with its QF maps: the report of POST /api/analyze (maps=1). */
export async function analyzeImage(image: File, signal: AbortSignal, onStage?: (s: UploadStage) => void): Promise<Report> {
  const answer = await postForm("/api/analyze", imageForm(image, { maps: "1" }), signal, onStage);
  if (answer.status !== 200) throw await errorOf(answer);
  return JSON.parse(await answer.body.text()) as Report;
}

export interface RestoreSettings {
  model?: string;
  /** QF to condition the restorer on; the server's analysis decides when absent. */
  quality?: number;
  /** Average the restorations of the 8 rotations/mirror images (about 9x slower, a little cleaner). */
  ensemble?: boolean;
}

export interface Restoration {
  png: Blob;
  model: string;
  quality: number | null;
  /** Where the QF came from: "given", "analysis", "header" or "default". */
  qualitySource: string | null;
  /** Whether the 8-orientation self-ensemble was used. */
  ensemble: boolean;
}

/** Restore an image: the PNG of POST /api/restore and what the server did. */
export async function restoreImage(
  image: File,
  settings: RestoreSettings,
  signal: AbortSignal,
  onStage?: (s: UploadStage) => void,
): Promise<Restoration> {
  const fields = { model: settings.model, quality: settings.quality?.toString(), ensemble: settings.ensemble ? "1" : undefined };
  const answer = await postForm("/api/restore", imageForm(image, fields), signal, onStage);
  if (answer.status !== 200) throw await errorOf(answer);
  const quality = answer.headers("X-Dejpeg-Quality");
  return {
    png: answer.body,
    model: answer.headers("X-Dejpeg-Model") ?? settings.model ?? "",
    quality: quality === null ? null : Number(quality),
    qualitySource: answer.headers("X-Dejpeg-Quality-Source"),
    ensemble: answer.headers("X-Dejpeg-Ensemble") === "1",
  };
}

/** The restorers the server offers (GET /api/models). */
export async function fetchModels(signal: AbortSignal): Promise<RestorerModels> {
  const response = await fetch("/api/models", { signal });
  if (!response.ok) {
    throw await errorOf({ status: response.status, headers: (n) => response.headers.get(n), body: await response.blob() });
  }
  return (await response.json()) as RestorerModels;
}
