import { BlockList, isIP } from 'node:net'
import type { Context } from 'hono'

/**
 * Which peers may tell us the client's address in `X-Forwarded-For` (`PARLEY_TRUSTED_PROXIES`):
 * none, a count of proxies in front of the server, or the proxies' address ranges.
 */
export type TrustedProxies =
  | { kind: 'none' }
  | { kind: 'hops'; hops: number }
  | { kind: 'ranges'; ranges: BlockList; source: string[] }

/** Parses `PARLEY_TRUSTED_PROXIES`: empty, a hop count (`1`), or CIDRs (`10.0.0.0/8,::1/128`). */
export function parseTrustedProxies(value: string | undefined): TrustedProxies | string {
  const text = value?.trim() ?? ''
  if (!text) return { kind: 'none' }
  if (/^\d+$/.test(text)) {
    const hops = Number(text)
    return hops === 0 ? { kind: 'none' } : { kind: 'hops', hops }
  }
  const ranges = new BlockList()
  const source = text.split(',').map((item) => item.trim())
  for (const item of source) {
    const [address = '', bits] = item.split('/')
    const family = isIP(address)
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits)
    const max = family === 6 ? 128 : 32
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      return `must be a number of proxies or a comma-separated list of CIDRs (not "${item}")`
    }
    ranges.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4')
  }
  return { kind: 'ranges', ranges, source }
}

/** `::ffff:10.0.0.1` is the IPv4 address 10.0.0.1. */
const plain = (address: string) => address.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1')

const trusted = (ranges: BlockList, address: string) => {
  const family = isIP(address)
  return family !== 0 && ranges.check(address, family === 6 ? 'ipv6' : 'ipv4')
}

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy, in which case the
 * `X-Forwarded-For` entries are read from the right (the nearest proxy's) past trusted proxies.
 */
export function clientAddressOf(
  peer: string,
  forwardedFor: string | undefined,
  proxies: TrustedProxies,
): string {
  const socket = plain(peer)
  if (proxies.kind === 'none' || !forwardedFor) return socket
  const chain = forwardedFor.split(',').map(plain).filter(Boolean)
  if (proxies.kind === 'hops') {
    // Each of the `hops` proxies appended the address it saw: the first appended the client's.
    return chain[chain.length - proxies.hops] ?? chain[0] ?? socket
  }
  if (!trusted(proxies.ranges, socket)) return socket
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i] as string
    if (!trusted(proxies.ranges, hop)) return hop
  }
  return chain[0] ?? socket
}

/** The socket peer's address of a request served by @hono/node-server. */
export function peerAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming
  return incoming?.socket?.remoteAddress ?? 'unknown'
}

export function clientAddress(c: Context, proxies: TrustedProxies): string {
  return clientAddressOf(peerAddress(c), c.req.header('x-forwarded-for'), proxies)
}
