// The console's one way to the simulator: the admin API (docs/admin-api.md), the same routes a test calls, with
// the admin token the page was given (kept in this tab's sessionStorage only), and the journal's live feed.

const BASE = new URL('.', window.location.href) // …/__admin/
const TOKEN_KEY = 'polytomic-mock.admin-token'

export function adminToken () {
  return window.sessionStorage.getItem(TOKEN_KEY)
}

export function setAdminToken (token) {
  if (token === null || token === '') window.sessionStorage.removeItem(TOKEN_KEY)
  else window.sessionStorage.setItem(TOKEN_KEY, token)
}

/** A refused admin call: its status and the error body (Polytomic's shape: status, key, message, metadata). */
export class AdminFailure extends Error {
  constructor (method, path, status, body) {
    const detail = body !== null && typeof body === 'object' && typeof body.message === 'string'
      ? body.message
      : String(body ?? 'no answer')
    super(`${method} /__admin${path}: ${status === 0 ? detail : `${status} ${detail}`}`)
    this.status = status
    this.body = body
  }
}

function headers (json) {
  const h = {}
  const token = adminToken()
  if (token !== null) h.authorization = `Bearer ${token}`
  if (json) h['content-type'] = 'application/json'
  return h
}

/** An admin call: admin('POST', '/executions/…/advance', { status: 'failed' }). Throws AdminFailure. */
export async function admin (method, path, body) {
  let res
  try {
    res = await fetch(new URL(path.slice(1), BASE), {
      method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body)
    })
  } catch (err) {
    throw new AdminFailure(method, path, 0, { message: `the simulator did not answer (${err.message})` })
  }
  const text = await res.text()
  let parsed = text
  try {
    parsed = text === '' ? null : JSON.parse(text)
  } catch { /* kept as text */ }
  if (!res.ok) throw new AdminFailure(method, path, res.status, parsed)
  return parsed
}

/** A filter as a query string, leaving out what is empty. */
export function queryOf (filter) {
  const q = new URLSearchParams()
  for (const [name, value] of Object.entries(filter)) {
    if (value !== undefined && value !== null && value !== '') q.set(name, String(value))
  }
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}

/**
 * Follows the journal (GET /__admin/requests/stream, server-sent events read with fetch so that the token goes
 * in a header): onEntry for each new request, onState('live' | 'reconnecting' | 'refused'). Reconnects from the
 * last id seen. Returns the call that stops it.
 */
export function follow (filter, after, onEntry, onState) {
  let stopped = false
  let controller = null
  let last = after
  const run = async () => {
    for (;;) {
      if (stopped) return
      controller = new AbortController()
      try {
        const res = await fetch(new URL(`requests/stream${queryOf({ ...filter, after: last })}`, BASE), {
          headers: headers(false),
          signal: controller.signal
        })
        if (res.status === 401) {
          onState('refused')
          return
        }
        if (!res.ok || res.body === null) throw new Error(`status ${res.status}`)
        onState('live')
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ''
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += value
          let end
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            const event = /^event: (.*)$/m.exec(block)?.[1]
            const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n')
            if (event === 'request' && data !== '') {
              const entry = JSON.parse(data)
              last = entry.id
              onEntry(entry)
            }
          }
        }
      } catch (err) {
        if (stopped) return
      }
      if (stopped) return
      onState('reconnecting')
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }
  run()
  return () => {
    stopped = true
    controller?.abort()
  }
}

/** The page a customer's browser opens for a Connect session. */
export function connectPageUrl (token) {
  return new URL(`../connect/${encodeURIComponent(token)}`, BASE).href
}

/** The simulator's own origin, for "copy as curl". */
export const ORIGIN = new URL('..', BASE).href.replace(/\/$/, '')
