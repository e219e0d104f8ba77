// Plain-words formatting shared by the components.

export function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

/** A quality factor estimated from pixels (fractional) shown as an integer. */
export function qualityFactor(q: number | null | undefined): string {
  return q === null || q === undefined ? "—" : `${Math.round(q)}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Milliseconds as "850 ms" or "2.4 s". */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "photo.final.jpg" -> "photo.final.restored.png" (the download's name). */
export function restoredFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return `${stem || "image"}.restored.png`;
}
