import ipaddr from "ipaddr.js";
import { ValidationError } from "./errors.ts";

/**
 * Rules for the requests we make on a client's behalf (URL imports, webhook deliveries): only
 * http and https, and never to a private, loopback, link-local, CGNAT, metadata or otherwise
 * non-public address — unless the host is explicitly allowed by the operator.
 */

export const MAX_REDIRECTS = 5;
export const MAX_URL_LENGTH = 2048;

/** The URL of an import, or a ValidationError saying why it is refused before any request. */
export function parseOutboundUrl(value: unknown, field = "url"): URL {
  if (typeof value !== "string" || value.length === 0) throw new ValidationError([`${field} must be a string`]);
  if (value.length > MAX_URL_LENGTH)
    throw new ValidationError([`${field} must be at most ${MAX_URL_LENGTH} characters`]);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError([`${field} must be an absolute URL`]);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ValidationError([`${field} must use http or https`]);
  }
  if (url.username || url.password) throw new ValidationError([`${field} must not contain credentials`]);
  return url;
}

/** The host part of a URL as it is compared with OUTBOUND_ALLOW_HOSTS (no brackets, lower case). */
export function outboundHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

export function isHostAllowed(host: string, allowHosts: readonly string[]): boolean {
  const normalized = host.replace(/^\[|\]$/g, "").toLowerCase();
  return allowHosts.some((allowed) => allowed.toLowerCase() === normalized);
}

/**
 * Whether an IP address is a public unicast address we may connect to. IPv4-mapped IPv6 addresses
 * are judged as the IPv4 address they carry; every special range (private, loopback, link-local
 * with the cloud metadata address, CGNAT, unique-local, multicast, reserved, 6to4, Teredo, …) is refused.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === "unicast";
}

/** Whether a connection to `address` (resolved from `host`) is allowed. */
export function isOutboundAddressAllowed(host: string, address: string, allowHosts: readonly string[]): boolean {
  return isHostAllowed(host, allowHosts) || isHostAllowed(address, allowHosts) || isPublicAddress(address);
}

/** OUTBOUND_ALLOW_HOSTS: comma-separated host names or IP literals. */
export function parseHostList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((host) =>
      host
        .trim()
        .replace(/^\[|\]$/g, "")
        .toLowerCase(),
    )
    .filter((host) => host.length > 0);
}
