import { MEDIA_UPDATED_CHANNEL, type MediaUpdatedNotification, type Sql } from "@darkroom/db";
import { OPTIMIZATION_STATUSES } from "@darkroom/domain";

/** Status changes of files, as the database trigger publishes them (from any process). */
export interface MediaEvents {
  /**
   * Changes of one file of one agency, from the moment the promise resolves (LISTEN is active by
   * then). Changes that arrive while the consumer is busy collapse into the latest one: a consumer
   * reads the file afresh anyway. `return()` ends the stream.
   */
  subscribe(agencyId: number, mediaId: number): Promise<AsyncIterableIterator<MediaUpdatedNotification>>;
  /** Stops listening and ends every stream. */
  close(): Promise<void>;
}

interface Subscriber {
  agencyId: number;
  notify(event: MediaUpdatedNotification): void;
  end(): void;
}

/**
 * One LISTEN connection per process (postgres.js keeps it apart from the pool and re-listens after a
 * reconnect), opened by the first subscriber; events fan out in process to the subscribers of that
 * file whose agency matches, so no agency ever sees another's events.
 */
export function createMediaEvents(sql: Sql): MediaEvents {
  const subscribers = new Map<number, Set<Subscriber>>();
  let listening: Promise<{ unlisten: () => Promise<void> }> | undefined;
  let closed = false;

  const dispatch = (payload: string) => {
    const event = parseNotification(payload);
    if (!event) return;
    for (const subscriber of subscribers.get(event.id) ?? []) {
      if (subscriber.agencyId === event.agencyId) subscriber.notify(event);
    }
  };

  const listen = () => {
    listening ??= sql.listen(MEDIA_UPDATED_CHANNEL, dispatch).catch((error: unknown) => {
      listening = undefined; // the next subscriber tries again
      throw error;
    });
    return listening;
  };

  const remove = (mediaId: number, subscriber: Subscriber) => {
    const set = subscribers.get(mediaId);
    set?.delete(subscriber);
    if (set?.size === 0) subscribers.delete(mediaId);
  };

  return {
    async subscribe(agencyId, mediaId) {
      if (closed) throw new Error("media events are closed");
      const stream = latestOnly<MediaUpdatedNotification>(() => remove(mediaId, subscriber));
      const subscriber: Subscriber = { agencyId, notify: stream.push, end: stream.end };
      const set = subscribers.get(mediaId) ?? new Set();
      subscribers.set(mediaId, set.add(subscriber));
      try {
        await listen();
      } catch (error) {
        stream.end();
        throw error;
      }
      return stream.iterator;
    },
    async close() {
      closed = true;
      for (const set of subscribers.values()) for (const subscriber of set) subscriber.end();
      subscribers.clear();
      const meta = await listening?.catch(() => undefined);
      listening = undefined;
      await meta?.unlisten();
    },
  };
}

/** An async iterator holding at most the latest value not yet read. */
function latestOnly<T>(onEnd: () => void) {
  let latest: { value: T } | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
    wake?.();
  };
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      while (!latest && !ended) await new Promise<void>((resolve) => (wake = resolve));
      if (ended || !latest) return { done: true, value: undefined };
      const { value } = latest;
      latest = undefined;
      return { done: false, value };
    },
    async return() {
      end();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return {
    iterator,
    end,
    push: (value: T) => {
      if (ended) return;
      latest = { value };
      wake?.();
    },
  };
}

function parseNotification(payload: string): MediaUpdatedNotification | undefined {
  try {
    const value = JSON.parse(payload) as Partial<MediaUpdatedNotification>;
    if (
      Number.isInteger(value.id) &&
      Number.isInteger(value.agencyId) &&
      OPTIMIZATION_STATUSES.some((status) => status === value.optimization)
    ) {
      return value as MediaUpdatedNotification;
    }
  } catch {
    // not ours to handle: ignore
  }
  return undefined;
}
