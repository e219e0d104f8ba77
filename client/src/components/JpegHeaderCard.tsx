import type { JpegFacts, SourceFacts } from "../report";
import { QuantizationTable } from "./QuantizationTable";

/** What the file header says (JPEG only): header QF, tables, subsampling, progressive. */
export function JpegHeaderCard({ jpeg, source }: { jpeg: JpegFacts | null; source: SourceFacts }) {
  if (jpeg === null) {
    return (
      <section className="card" aria-labelledby="header-heading">
        <h2 id="header-heading">File header</h2>
        <p>
          A {source.format} file, not a JPEG: there is no header quality to read, so the verdict comes from the pixels
          alone.
        </p>
      </section>
    );
  }
  const { quantization } = jpeg;
  return (
    <section className="card" aria-labelledby="header-heading">
      <h2 id="header-heading">JPEG header</h2>
      <dl className="facts">
        <dt>Header quality factor</dt>
        <dd data-testid="header-qf">{jpeg.quality ?? "—"}</dd>
        <dt>Chroma subsampling</dt>
        <dd>{jpeg.subsampling ?? "none (grayscale)"}</dd>
        <dt>Encoding</dt>
        <dd>{jpeg.progressive ? "progressive" : "baseline"}</dd>
        {jpeg.software && (
          <>
            <dt>Software</dt>
            <dd>{jpeg.software}</dd>
          </>
        )}
        {jpeg.camera && (
          <>
            <dt>Camera</dt>
            <dd>{jpeg.camera}</dd>
          </>
        )}
      </dl>
      {jpeg.standard_tables ? (
        <p className="muted">Standard IJG (libjpeg) quantization tables.</p>
      ) : (
        <p className="warning" role="note">
          Non-standard quantization tables: not libjpeg&apos;s at any quality (camera, editor or optimised encoder).
          {jpeg.quality !== null && ` The header QF ${jpeg.quality} is the nearest IJG quality`}
          {jpeg.quality !== null && jpeg.table_fit_error !== null && ` (fit error ${jpeg.table_fit_error.toFixed(2)})`}
          {jpeg.quality !== null && "."}
        </p>
      )}
      <div className="tables">
        <QuantizationTable title="Luma quantization table" steps={quantization.luma} />
        {quantization.chroma && <QuantizationTable title="Chroma quantization table" steps={quantization.chroma} />}
      </div>
    </section>
  );
}
