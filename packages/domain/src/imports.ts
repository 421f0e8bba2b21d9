/**
 * An imported file exists from the moment its import is queued, before its original is downloaded:
 * until then it shows size 0 and `application/octet-stream`, and has no SHA-256.
 */
export const NOT_DOWNLOADED_SHA256 = "";

/** The columns of an imported file whose original is still to be downloaded, under `storagePrefix`. */
export function importPlaceholder(storagePrefix: string) {
  return {
    size: 0,
    contentType: "application/octet-stream",
    sha256: NOT_DOWNLOADED_SHA256,
    originalKey: `${storagePrefix}/original`,
  };
}

/** Whether an imported file's original was downloaded already (by an earlier attempt of its job). */
export function isDownloaded(file: { sha256: string }): boolean {
  return file.sha256 !== NOT_DOWNLOADED_SHA256;
}
