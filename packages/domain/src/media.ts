import type { OptimizationStatus } from "./optimization.ts";

export interface MediaRecord {
  id: number;
  externalId: string | null;
  size: number;
  contentType: string;
  optimization: OptimizationStatus;
  optimizationError: string | null;
  blurhash: string | null;
  width: number | null;
  height: number | null;
  fileName: string | null;
  capturedAt: string | null;
  createdAt: Date;
}

export interface VariantRecord {
  variantSize: string;
  size: number;
  width: number;
  height: number;
  url: string;
}

export interface RestVariant {
  url: string;
  variantSize: string;
  size: number;
  width: number;
  height: number;
}

export interface RestMedia {
  id: number;
  externalId: string | null;
  size: number;
  contentType: string;
  optimization: OptimizationStatus;
  blurhash: string | null;
  originalUrl: string;
  variants: RestVariant[];
  width: number | null;
  height: number | null;
  optimizationError: string | null;
  /** The name it was uploaded or imported under (sanitized), or null. */
  fileName: string | null;
  /** When the photo was taken (EXIF DateTimeOriginal, ISO 8601, with its offset if known), or null. */
  capturedAt: string | null;
  createdAt: string;
}

const sizeOrder = (variantSize: string) => Number(variantSize);

/**
 * The media object of the REST contract (the seed's fields first, then additive ones).
 * Until optimization succeeds, `blurhash` is null and `variants` is empty, whatever is stored.
 */
export function toRestMedia(media: MediaRecord, originalUrl: string, variants: VariantRecord[]): RestMedia {
  const ready = media.optimization === "success";
  return {
    id: media.id,
    externalId: media.externalId,
    size: media.size,
    contentType: media.contentType,
    optimization: media.optimization,
    blurhash: ready ? media.blurhash : null,
    originalUrl,
    variants: ready
      ? [...variants]
          .sort((a, b) => sizeOrder(a.variantSize) - sizeOrder(b.variantSize))
          .map((v) => ({ url: v.url, variantSize: v.variantSize, size: v.size, width: v.width, height: v.height }))
      : [],
    width: media.width,
    height: media.height,
    optimizationError: media.optimizationError,
    fileName: media.fileName,
    capturedAt: media.capturedAt,
    createdAt: media.createdAt.toISOString(),
  };
}
