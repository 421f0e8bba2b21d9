export const VARIANT_SIZES = [128, 512, 1024] as const;
export type VariantSize = (typeof VARIANT_SIZES)[number];

export interface PlannedVariant {
  variantSize: `${VariantSize}`;
  /** The box edge: the variant's long edge is at most this. */
  box: VariantSize;
  width: number;
  height: number;
}

/**
 * The variants of an image of `width`×`height` (already oriented): one per size, small to large,
 * each fitting inside an N×N box with the aspect ratio kept, never enlarged.
 */
export function variantPlan(width: number, height: number): PlannedVariant[] {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`invalid image dimensions ${width}x${height}`);
  }
  return VARIANT_SIZES.map((box) => {
    const scale = Math.min(1, box / Math.max(width, height));
    return {
      variantSize: `${box}` as const,
      box,
      width: Math.max(1, Math.round(width * scale)),
      height: Math.max(1, Math.round(height * scale)),
    };
  });
}

/**
 * The objects of a file's previous variants (`oldKeys`) that its new set (`newKeys`) does not
 * overwrite: left alone, nothing would ever remove them.
 */
export function staleVariantKeys(oldKeys: readonly string[], newKeys: readonly string[]): string[] {
  return oldKeys.filter((key) => !newKeys.includes(key));
}
