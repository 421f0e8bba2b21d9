import type { FastifyInstance, FastifyRequest } from "fastify";

/**
 * Fastify's close waits for open connections, not for a handler whose client has gone away: such a
 * handler still runs and may still write (an upload's row, a link). Closing waits for those too, so
 * none of them meets a closed database. A request counts until its answer is handed over (`onSend`,
 * which runs even when nobody is left to read it) or sent (`onResponse`); the process's shutdown
 * deadline bounds the wait.
 */
export function awaitHandlersOnClose(app: FastifyInstance): void {
  const running = new Set<FastifyRequest>();
  let drained: (() => void) | undefined;
  const settle = (request: FastifyRequest) => {
    if (running.delete(request) && running.size === 0) drained?.();
  };
  // Callback-style hooks: they run on every request, and need no promise.
  app.addHook("onRequest", (request, _reply, done) => {
    running.add(request);
    done();
  });
  app.addHook("onSend", (request, _reply, payload, done) => {
    settle(request);
    done(null, payload);
  });
  app.addHook("onResponse", (request, _reply, done) => {
    settle(request);
    done();
  });
  app.addHook("onClose", async () => {
    if (running.size > 0) await new Promise<void>((resolve) => (drained = resolve));
  });
}
