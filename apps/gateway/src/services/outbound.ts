import { lookup } from "node:dns/promises";
import { isOutboundAddressAllowed, outboundHost, ValidationError } from "@darkroom/domain";

/**
 * Refuses, before any request is made, a URL whose host is or resolves only to addresses we must
 * not reach. The downloader checks again on every connection and redirect (DNS may change).
 */
export async function assertReachable(url: URL, allowHosts: readonly string[], field = "url"): Promise<void> {
  const host = outboundHost(url);
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch {
    throw new ValidationError([`${field} host could not be resolved`]);
  }
  if (!addresses.some((address) => isOutboundAddressAllowed(host, address, allowHosts))) {
    throw new ValidationError([`${field} must not point to a private, loopback or link-local address`]);
  }
}
