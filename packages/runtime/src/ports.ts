import { createServer } from "node:net";

/**
 * A loopback port the system says is free right now (it picks one when asked to listen on port 0).
 * On a shared machine a port picked at random can be another process's.
 */
export function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once("error", reject)
      .listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() =>
          typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
        );
      });
  });
}
