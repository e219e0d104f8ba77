import { useEffect, useState } from "react";

/**
 * The grey values of one of the report's map PNGs (a data URL of `rows` x `columns` pixels,
 * one per 8x8 block): rows x columns bytes 0..255, row-major; null while decoding or when
 * the browser cannot decode it. The browser decodes; a canvas gives the pixels back.
 */
export function useMapCells(url: string, rows: number, columns: number): Uint8ClampedArray | null {
  const [decoded, setDecoded] = useState<{ url: string; cells: Uint8ClampedArray } | null>(null);
  useEffect(() => {
    let current = true;
    const image = new Image();
    image.src = url;
    image.decode().then(
      () => {
        const canvas = document.createElement("canvas");
        [canvas.width, canvas.height] = [columns, rows];
        const context = canvas.getContext("2d", { willReadFrequently: true });
        if (!current || !context) return;
        context.drawImage(image, 0, 0);
        const rgba = context.getImageData(0, 0, columns, rows).data;
        setDecoded({ url, cells: rgba.filter((_, i) => i % 4 === 0) }); // grey: R = G = B
      },
      () => undefined, // not decodable: the overlay stays empty
    );
    return () => {
      current = false;
    };
  }, [url, rows, columns]);
  return decoded?.url === url ? decoded.cells : null;
}
