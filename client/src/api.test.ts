import { Blob as NodeBlob } from "node:buffer";
import { ApiError, analyzeImage, restoreImage } from "./api";

/** A stand-in for XMLHttpRequest that answers with `next` (or fails the network). */
class FakeXhr {
  static next: { status: number; body: string; type?: string; headers?: Record<string, string> } | "network-error";
  static sent: FormData[] = [];
  upload: { onload?: () => void } = {};
  status = 0;
  response: Blob | null = null;
  responseType = "";
  onload?: () => void;
  onerror?: () => void;
  onabort?: () => void;
  private headers: Record<string, string> = {};
  open(method: string, url: string) {
    expect(method).toBe("POST");
    expect(url).toMatch(/^\/api\/(analyze|restore)$/);
  }
  getResponseHeader(name: string) {
    return this.headers[name] ?? null;
  }
  abort() {
    this.onabort?.();
  }
  send(form: FormData) {
    FakeXhr.sent.push(form);
    const next = FakeXhr.next;
    queueMicrotask(() => {
      if (next === "network-error") return this.onerror?.();
      this.upload.onload?.();
      this.status = next.status;
      this.headers = next.headers ?? {};
      // Node's Blob, as a browser's: jsdom's has no text()
      this.response = new NodeBlob([next.body], { type: next.type ?? "application/json" }) as unknown as Blob;
      this.onload?.();
    });
  }
}

const image = new File(["pixels"], "cat.jpg", { type: "image/jpeg" });

beforeEach(() => {
  FakeXhr.sent = [];
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
});
afterEach(() => vi.unstubAllGlobals());

describe("analyzeImage", () => {
  it("sends the image as the multipart field 'image' and reports the stages", async () => {
    FakeXhr.next = { status: 200, body: JSON.stringify({ compression: { verdict: "single" } }) };
    const stages: string[] = [];
    const report = await analyzeImage(image, new AbortController().signal, (s) => stages.push(s));
    expect(report.compression.verdict).toBe("single");
    expect(stages).toEqual(["uploading", "processing"]);
    expect((FakeXhr.sent[0].get("image") as File).name).toBe("cat.jpg");
    expect(FakeXhr.sent[0].get("maps")).toBe("1"); // with the QF maps
  });

  it("passes on the server's own error message", async () => {
    FakeXhr.next = {
      status: 415,
      body: JSON.stringify({ error: { code: "not_an_image", message: "The file is not an image deJPEG can read." } }),
    };
    const error = await analyzeImage(image, new AbortController().signal).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "not_an_image", status: 415, message: "The file is not an image deJPEG can read." });
  });

  it("puts an answer that is not the API's (a proxy's page) in plain words", async () => {
    FakeXhr.next = { status: 502, body: "<html>Bad Gateway</html>", type: "text/html" };
    await expect(analyzeImage(image, new AbortController().signal)).rejects.toThrow(
      "The server is not answering (bad gateway).",
    );
    FakeXhr.next = { status: 500, body: "" };
    await expect(analyzeImage(image, new AbortController().signal)).rejects.toThrow(
      "The server answered with an error (HTTP 500).",
    );
  });

  it("says when the server cannot be reached", async () => {
    FakeXhr.next = "network-error";
    await expect(analyzeImage(image, new AbortController().signal)).rejects.toThrow("Cannot reach the deJPEG server");
  });
});

describe("restoreImage", () => {
  it("sends model and QF and reads what the server did from its headers", async () => {
    FakeXhr.next = {
      status: 200,
      body: "PNG",
      type: "image/png",
      headers: {
        "X-Dejpeg-Model": "restore-gan",
        "X-Dejpeg-Quality": "20",
        "X-Dejpeg-Quality-Source": "given",
        "X-Dejpeg-Ensemble": "1",
      },
    };
    const result = await restoreImage(image, { model: "restore-gan", quality: 20, ensemble: true }, new AbortController().signal);
    expect(FakeXhr.sent[0].get("model")).toBe("restore-gan");
    expect(FakeXhr.sent[0].get("quality")).toBe("20");
    expect(FakeXhr.sent[0].get("ensemble")).toBe("1");
    expect(result).toMatchObject({ model: "restore-gan", quality: 20, qualitySource: "given", ensemble: true });
    expect(await result.png.text()).toBe("PNG");
  });

  it("leaves model and QF to the server when not chosen", async () => {
    FakeXhr.next = { status: 200, body: "PNG", type: "image/png" };
    await restoreImage(image, {}, new AbortController().signal);
    expect(FakeXhr.sent[0].has("model")).toBe(false);
    expect(FakeXhr.sent[0].has("quality")).toBe(false);
    expect(FakeXhr.sent[0].has("ensemble")).toBe(false);
  });
});
