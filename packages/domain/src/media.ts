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
    createdAt: media.createdAt.toISOString(),
  };
}
