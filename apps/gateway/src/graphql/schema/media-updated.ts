import { DomainError, parseId, type RestMedia } from "@darkroom/domain";
import { clearAllDataLoaders } from "@pothos/plugin-dataloader";
import { readMedia } from "../../services/media-store.ts";
import { builder } from "../builder.ts";
import type { GraphQLContext } from "../context.ts";
import { MediaRef } from "./media.ts";

/**
 * The file as it is now, then again after every change of its optimization status (the database
 * publishes them, from whichever process made them). Another agency's file, or a missing one, is a
 * `FILE_NOT_FOUND` error before any event; the stream ends when the file is deleted and a change
 * finds it gone.
 */
async function mediaUpdates(ctx: GraphQLContext, mediaId: number): Promise<AsyncIterableIterator<RestMedia>> {
  const { deps, agency } = ctx;
  const changes = await deps.mediaEvents.subscribe(agency.id, mediaId); // LISTEN is active from here on
  const current = () => readMedia(deps, agency.id, mediaId);
  let first: RestMedia | undefined;
  try {
    first = await current();
    if (!first) throw new DomainError("FILE_NOT_FOUND");
  } catch (error) {
    await changes.return?.();
    throw error;
  }
  const done = { done: true, value: undefined } as const;
  const iterator: AsyncIterableIterator<RestMedia> = {
    async next() {
      if (first) {
        const value = first;
        first = undefined;
        return { done: false, value };
      }
      if ((await changes.next()).done) return done;
      const media = await current();
      if (media) return { done: false, value: media };
      await changes.return?.();
      return done;
    },
    async return() {
      await changes.return?.();
      return done;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

builder.subscriptionField("mediaUpdated", (t) =>
  t.field({
    type: MediaRef,
    description:
      "The file now, then after every change of its optimization status (PENDING → IN_PROGRESS → SUCCESS | FAILED), " +
      "over Server-Sent Events.",
    args: { id: t.arg.int({ required: true, description: "The file's databaseId." }) },
    subscribe: (_root, { id }, ctx) => mediaUpdates(ctx, parseId(id)),
    resolve: (media, _args, ctx) => {
      clearAllDataLoaders(ctx); // the context lives as long as the subscription: nothing cached may go stale
      return media;
    },
  }),
);
