import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { webhookRepository } from "@darkroom/db";
import {
  deliveryFailure,
  isOutboundAddressAllowed,
  outboundHost,
  parseOutboundUrl,
  taskPayloads,
  WEBHOOK_TIMEOUT_MS,
  webhookBody,
  webhookHeaders,
} from "@darkroom/domain";
import type { Task } from "graphile-worker";
import { DownloadError, FORBIDDEN, guardedLookup } from "../download.ts";
import type { TaskContext } from "./context.ts";

/** A delivery attempt that did not end in a 2xx; graphile-worker retries it with backoff. */
export class DeliveryError extends Error {
  override name = "DeliveryError";
}

export interface PostOptions {
  allowHosts: readonly string[];
  timeoutMs: number;
}

/**
 * POSTs `body` to `rawUrl` and answers the status. The address is checked on connect (the lookup
 * answers only allowed addresses, an IP literal is checked here); redirects are not followed.
 */
export async function postWebhook(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
): Promise<number> {
  const url = parseOutboundUrl(rawUrl);
  const host = outboundHost(url);
  if (isIP(host) && !isOutboundAddressAllowed(host, host, options.allowHosts)) throw new DeliveryError(FORBIDDEN);
  const signal = AbortSignal.timeout(options.timeoutMs);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      lookup: guardedLookup(options.allowHosts),
      signal,
      agent: false,
      headers: {
        ...headers,
        "content-length": String(Buffer.byteLength(body)),
        "user-agent": "darkroom-webhooks/1",
      },
    });
    req.once("response", (response) => {
      response.destroy(); // only the status matters: the answer's body is not read
      resolve(response.statusCode ?? 0);
    });
    req.on("error", (error) => {
      if (error instanceof DownloadError) return reject(new DeliveryError(error.message));
      if (signal.aborted) return reject(new DeliveryError(`no answer within ${options.timeoutMs / 1000} s`));
      const code = (error as { code?: string }).code;
      reject(new DeliveryError(`the request failed (${code ?? error.message})`));
    });
    req.end(body);
  });
}

/**
 * Sends one outbox row: the same `webhook-id` and body on every attempt, signed afresh with the
 * attempt's timestamp. A 2xx marks it delivered; anything else is recorded (attempts, last_error)
 * and thrown, for graphile-worker to retry with backoff. A delivery whose webhook was deleted is dropped.
 */
export function deliverWebhook(context: TaskContext): Task {
  const { config } = context;
  const deliveries = webhookRepository(context.db);

  return async (payload, helpers) => {
    const parsed = taskPayloads.deliver_webhook.safeParse(payload);
    if (!parsed.success) {
      helpers.logger.error(`deliver_webhook: ignoring a malformed payload: ${parsed.error.message}`);
      return;
    }
    const { deliveryId } = parsed.data;
    const delivery = await deliveries.delivery(deliveryId);
    if (!delivery || delivery.deliveredAt) return; // webhook deleted, or delivered already

    const body = webhookBody({
      id: delivery.eventId,
      type: delivery.type,
      timestamp: delivery.createdAt,
      data: delivery.data,
    });
    const headers = webhookHeaders(delivery.secret, delivery.eventId, Math.floor(Date.now() / 1000), body);
    let failure: string | undefined;
    try {
      const status = await postWebhook(delivery.url, body, headers, {
        allowHosts: config.outboundAllowHosts,
        timeoutMs: WEBHOOK_TIMEOUT_MS,
      });
      failure = deliveryFailure(status);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    await deliveries.recordAttempt(deliveryId, failure);
    if (failure !== undefined) throw new DeliveryError(failure);
  };
}
