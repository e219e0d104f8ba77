import { useEffect, useState } from "react";
import { listen } from "./listen";

function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes("Files");
}

/** The first file in a clipboard paste, if any. */
function pastedFile(data: DataTransfer | null): File | null {
  if (!data) return null;
  if (data.files.length > 0) return data.files[0];
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind === "file") return item.getAsFile();
  }
  return null;
}

/**
 * Files dropped anywhere on the page or pasted from the clipboard go to `onFile`.
 * Returns whether a file is being dragged over the page (to show the drop target).
 */
export function useWindowImageInput(onFile: (file: File) => void): boolean {
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    let depth = 0; // dragenter/dragleave fire for every child element crossed
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth += 1;
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault(); // allows the drop
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const file = e.dataTransfer?.files[0];
      if (file) onFile(file);
    };
    const paste = (e: ClipboardEvent) => {
      const file = pastedFile(e.clipboardData);
      if (file) {
        e.preventDefault();
        onFile(file);
      }
    };
    return listen(window, { dragenter: enter, dragleave: leave, dragover: over, drop, paste });
  }, [onFile]);

  return dragging;
}
