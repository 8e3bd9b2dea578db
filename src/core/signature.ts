import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * The Polytomic-Signature header of webhook deliveries: an HMAC of the exact request body bytes,
 * keyed with the webhook's secret. Polytomic documents the header and the HMAC but not the hash
 * or the encoding (partner-surface reference 5.3); the simulator's default is the common
 * convention, HMAC-SHA256 in lowercase hex with no prefix, and both are settings
 * (WEBHOOK_SIGNATURE_ALGORITHM, WEBHOOK_SIGNATURE_ENCODING).
 */
export const SIGNATURE_HEADER = 'Polytomic-Signature'
export const SIGNATURE_ALGORITHMS = ['sha256', 'sha1', 'sha512'] as const
export const SIGNATURE_ENCODINGS = ['hex', 'base64'] as const

export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number]
export type SignatureEncoding = (typeof SIGNATURE_ENCODINGS)[number]

export interface SignatureOptions {
  /** Default sha256. */
  algorithm?: SignatureAlgorithm
  /** Default hex. */
  encoding?: SignatureEncoding
}

type Body = string | Uint8Array

/** The signature the simulator sends for a body. */
export function signBody (body: Body, secret: string, options: SignatureOptions = {}): string {
  return createHmac(options.algorithm ?? 'sha256', secret)
    .update(body)
    .digest(options.encoding ?? 'hex')
}

/**
 * Checks a delivery the way a receiver should: the HMAC of the raw body (the bytes as received,
 * before any JSON parsing) against the header, in constant time. Use it to check your own verifier
 * against the simulator's signatures. A missing or malformed header is false, never an exception.
 */
export function verifySignature (
  body: Body,
  header: string | readonly string[] | null | undefined,
  secret: string,
  options: SignatureOptions = {}
): boolean {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new TypeError(
      'verifySignature: pass the raw body bytes as received (the request body as a Buffer or string, before ' +
        `JSON parsing), not ${body === null ? 'null' : typeof body === 'object' ? 'a parsed object' : typeof body}: ` +
        'the signature is of the exact bytes sent, which JSON.stringify of a parsed body need not reproduce'
    )
  }
  const value: unknown = Array.isArray(header) ? header[0] : header
  if (typeof value !== 'string' || typeof secret !== 'string') return false
  const encoding = options.encoding ?? 'hex'
  const given = value.trim()
  const expected = Buffer.from(signBody(body, secret, options), encoding)
  const received = Buffer.from(encoding === 'hex' ? given.toLowerCase() : given, encoding)
  // Buffer.from drops what is not valid in the encoding, so the text must round-trip too.
  if (received.toString(encoding) !== (encoding === 'hex' ? given.toLowerCase() : given)) return false
  return received.length === expected.length && timingSafeEqual(received, expected)
}
