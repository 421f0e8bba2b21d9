/**
 * Graceful shutdown for a long-running process: SIGTERM or SIGINT waits for start-up to finish, then
 * runs the registered stop steps in reverse order (stop taking work, let in-flight work finish, close
 * connections), and exits 0 — or 1 if that takes longer than `timeoutMs`.
 */
export function handleShutdown(options: { timeoutMs: number; log: (message: string) => void }) {
  const steps: (() => Promise<unknown>)[] = [];
  let started: Promise<unknown> = Promise.resolve();
  let stopping = false;

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    options.log(`${signal}: shutting down, letting in-flight work finish`);
    setTimeout(() => process.exit(1), options.timeoutMs).unref();
    await started.catch(() => undefined);
    for (const step of steps.reverse()) await step();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));

  return {
    /** A stop step, run before the ones registered earlier. */
    onStop: (step: () => Promise<unknown>) => steps.push(step),
    /** Start-up in progress: a signal waits for it before stopping. */
    starting: <T>(promise: Promise<T>): Promise<T> => {
      started = promise;
      return promise;
    },
  };
}
