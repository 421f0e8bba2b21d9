import { describe, expect, it } from "vitest";
import { type MediaRecord, toRestMedia, type VariantRecord } from "./media.ts";
import { OPTIMIZATION_STATUSES } from "./optimization.ts";

const createdAt = new Date("2026-01-15T10:20:30.456Z");
const originalUrl = "https://media.example.test/o/9f3c2a7e/original.jpg";
const blurhash = "L7HuX^zY1z-6ADx?0z2@1Io#{yV_";

function record(overrides: Partial<MediaRecord> = {}): MediaRecord {
  return {
    id: 123,
    externalId: "apt-001-photo-1",
    size: 245_000,
    contentType: "image/jpeg",
    optimization: "success",
    optimizationError: null,
    blurhash,
    width: 6028,
    height: 3391,
    fileName: "IMG_0001.HEIC",
    capturedAt: "2024-06-01T14:22:03+02:00",
    createdAt,
    ...overrides,
  };
}

const variant = (variantSize: string, size: number, width: number, height: number): VariantRecord => ({
  variantSize,
  size,
  width,
  height,
  url: `https://media.example.test/o/9f3c2a7e/${variantSize}.webp`,
});

const v128 = variant("128", 4074, 128, 72);
const v512 = variant("512", 32_850, 512, 288);
const v1024 = variant("1024", 98_500, 1024, 576);

describe("toRestMedia", () => {
  it("toRestMedia: a successful file has the seed's fields with the seed's types", () => {
    const media = toRestMedia(record(), originalUrl, [v128, v512, v1024]);
    expect(media).toMatchObject({
      id: 123,
      externalId: "apt-001-photo-1",
      size: 245_000,
      contentType: "image/jpeg",
      optimization: "success",
      blurhash,
      originalUrl,
      variants: [
        { url: v128.url, variantSize: "128", size: 4074 },
        { url: v512.url, variantSize: "512", size: 32_850 },
        { url: v1024.url, variantSize: "1024", size: 98_500 },
      ],
    });
    expect(typeof media.id).toBe("number");
    expect(typeof media.size).toBe("number");
    for (const v of media.variants) {
      expect(typeof v.variantSize).toBe("string");
      expect(typeof v.url).toBe("string");
      expect(typeof v.size).toBe("number");
    }
  });

  it("toRestMedia: the additive fields are width, height, optimizationError and an ISO createdAt", () => {
    const media = toRestMedia(record(), originalUrl, [v128, v512, v1024]);
    expect(media.width).toBe(6028);
    expect(media.height).toBe(3391);
    expect(media.optimizationError).toBeNull();
    expect(media.createdAt).toBe("2026-01-15T10:20:30.456Z");
    expect(media.variants.map((v) => [v.width, v.height])).toEqual([
      [128, 72],
      [512, 288],
      [1024, 576],
    ]);
  });

  it("toRestMedia: the object is exactly the seed's fields plus the additive ones", () => {
    const media = toRestMedia(record(), originalUrl, [v128]);
    expect(Object.keys(media).sort()).toEqual(
      [
        "id",
        "externalId",
        "size",
        "contentType",
        "optimization",
        "blurhash",
        "originalUrl",
        "variants",
        "width",
        "height",
        "optimizationError",
        "fileName",
        "capturedAt",
        "createdAt",
      ].sort(),
    );
    expect(Object.keys(media.variants[0] ?? {}).sort()).toEqual(["height", "size", "url", "variantSize", "width"]);
  });

  it("toRestMedia: the seed's fields come first, in the seed's order", () => {
    const media = toRestMedia(record(), originalUrl, []);
    expect(Object.keys(media).slice(0, 8)).toEqual([
      "id",
      "externalId",
      "size",
      "contentType",
      "optimization",
      "blurhash",
      "originalUrl",
      "variants",
    ]);
  });

  it("toRestMedia: variants are ordered 128, 512, 1024 whatever the input order", () => {
    for (const input of [
      [v1024, v512, v128],
      [v512, v1024, v128],
      [v128, v1024, v512],
    ]) {
      const media = toRestMedia(record(), originalUrl, input);
      expect(media.variants.map((v) => v.variantSize)).toEqual(["128", "512", "1024"]);
    }
  });

  it("toRestMedia: the input variants array is not reordered in place", () => {
    const input = [v1024, v128, v512];
    toRestMedia(record(), originalUrl, input);
    expect(input).toEqual([v1024, v128, v512]);
  });

  it.each(OPTIMIZATION_STATUSES.filter((status) => status !== "success"))(
    "toRestMedia: a %s file shows blurhash null and no variants, whatever is stored",
    (optimization) => {
      const media = toRestMedia(record({ optimization }), originalUrl, [v128, v512, v1024]);
      expect(media.optimization).toBe(optimization);
      expect(media.blurhash).toBeNull();
      expect(media.variants).toEqual([]);
      expect(media.originalUrl).toBe(originalUrl);
    },
  );

  it("toRestMedia: a failed file carries why in optimizationError", () => {
    const media = toRestMedia(
      record({ optimization: "failed", optimizationError: "not a decodable image", blurhash: null }),
      originalUrl,
      [],
    );
    expect(media.optimizationError).toBe("not a decodable image");
  });

  it("toRestMedia: a file without an external ID has externalId null", () => {
    expect(toRestMedia(record({ externalId: null }), originalUrl, []).externalId).toBeNull();
  });

  it("toRestMedia: a file not yet measured has width and height null", () => {
    const media = toRestMedia(record({ optimization: "pending", width: null, height: null }), originalUrl, []);
    expect(media.width).toBeNull();
    expect(media.height).toBeNull();
  });

  it("toRestMedia: variants carry no fields beyond url, variantSize, size, width, height", () => {
    const stored = { ...v128, id: 5, mediaId: 123, storageKey: "agency/1/media/123/128.webp" };
    const media = toRestMedia(record(), originalUrl, [stored]);
    expect(media.variants).toStrictEqual([{ url: v128.url, variantSize: "128", size: 4074, width: 128, height: 72 }]);
  });

  it("toRestMedia: the media object survives JSON unchanged", () => {
    const media = toRestMedia(record(), originalUrl, [v128, v512, v1024]);
    expect(JSON.parse(JSON.stringify(media))).toStrictEqual(media);
  });
});
