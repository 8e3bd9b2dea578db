/**
 * Whether a URL reaches this simulator itself: a webhook endpoint must never do so, or a delivery
 * could drive the control plane (/__admin/reset) or loop through /api. An address is this machine's
 * when it is a loopback or unspecified address, "localhost" (and its subdomains, RFC 6761 section
 * 6.3) or an address of one of its interfaces; the port is one the simulator listens on now.
 */
import { isIP } from 'node:net'
import { networkInterfaces } from 'node:os'

/** "::ffff:7f00:1" (how a URL writes an IPv4-mapped address) -> "127.0.0.1"; anything else as it is. */
function unmapped (address: string): string {
  const mapped = /^::ffff:(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/.exec(address)
  if (mapped === null) return address
  if (mapped[3] !== undefined) return mapped[3]
  const high = parseInt(mapped[1] as string, 16)
  const low = parseInt(mapped[2] as string, 16)
  return [high >> 8, high & 255, low >> 8, low & 255].join('.')
}

/** An address (or host name) of this machine. */
export function isOwnAddress (host: string): boolean {
  const name = host
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '')
  if (name === 'localhost' || name.endsWith('.localhost')) return true
  if (isIP(name) === 0) return false
  const address = unmapped(name)
  if (address.startsWith('127.') || address === '0.0.0.0' || address === '::1' || address === '::') return true
  return Object.values(networkInterfaces()).some(
    (list) => list?.some((entry) => entry.address.toLowerCase() === address) === true
  )
}

/** The port a URL names, or its scheme's. */
export function portOf (url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
}

/** Where the simulator listens now: the ports, none while it does not listen. */
export type ListeningPorts = () => readonly number[]

export function pointsAtSelf (url: URL, ports: ListeningPorts): boolean {
  const listening = ports()
  return listening.length > 0 && listening.includes(portOf(url)) && isOwnAddress(url.hostname)
}

export const SELF_REFUSAL =
  'points at this simulator itself: a delivery must never reach its own /__admin or /api (use a receiver of your own)'
