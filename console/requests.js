// The Requests view: the journal newest first, live, filtered; one entry opened to what was sent and answered,
// why it failed, and the same request as curl.
import { h } from 'preact'
import { useState } from 'preact/hooks'
import htm from 'htm'
import { ORIGIN } from './api.js'

const html = htm.bind(h)

const METHODS = ['', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE']

/** What kind of failure an answer was, and what to read: auth, scope, version, validation, fault, ... */
export function failureReason (entry, faults) {
  if (entry.status < 400) return null
  const body = entry.response !== null && typeof entry.response === 'object' ? entry.response : {}
  const key = typeof body.key === 'string' ? body.key : ''
  const message = typeof body.message === 'string' ? body.message : String(entry.response ?? '')
  const metadata = body.metadata !== null && typeof body.metadata === 'object' ? body.metadata : {}
  if (entry.fault !== null) {
    const rule = faults.find((f) => f.id === entry.fault)
    const what = rule === undefined
      ? 'a rule since removed'
      : [rule.method, rule.path, rule.partner_id && `partner ${rule.partner_id}`].filter(Boolean).join(' ') ||
        'every request'
    return { kind: 'fault', title: `Injected fault ${entry.fault}`, detail: `A fault rule (${what}) answered ${entry.status}.` }
  }
  if (key.includes('version')) return { kind: 'version', title: 'API version', detail: message }
  if (entry.status === 401) return { kind: 'auth', title: 'Authentication', detail: message }
  if (entry.status === 403) return { kind: 'scope', title: 'Scope: this key may not do this', detail: message }
  if (typeof metadata.field === 'string') {
    return {
      kind: 'validation',
      title: `Validation: ${metadata.field}`,
      detail: `${metadata.field} ${metadata.problem ?? message}`
    }
  }
  if (entry.status === 422 || entry.status === 400) return { kind: 'validation', title: 'Validation', detail: message }
  if (entry.status === 404) return { kind: 'not-found', title: 'Not found', detail: message }
  if (entry.status === 409) return { kind: 'conflict', title: 'Conflict', detail: message }
  if (entry.status === 429) return { kind: 'rate', title: 'Too many requests', detail: message }
  return { kind: 'server', title: `Status ${entry.status}${key === '' ? '' : ` (${key})`}`, detail: message }
}

const SKIPPED_HEADERS = new Set(['host', 'content-length', 'connection', 'authorization', 'accept-encoding'])

function shellQuote (text) {
  return `'${String(text).replace(/'/g, "'\\''")}'`
}

/** The request as a curl command line; the key is left as $POLYTOMIC_API_KEY (the journal keeps no secret). */
export function asCurl (entry) {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(entry.query ?? {})) query.set(name, String(value))
  const qs = query.toString()
  const parts = [`curl -X ${entry.method} ${shellQuote(`${ORIGIN}${entry.path}${qs === '' ? '' : `?${qs}`}`)}`]
  if (entry.headers.authorization !== undefined) parts.push('-H "Authorization: Bearer $POLYTOMIC_API_KEY"')
  for (const [name, value] of Object.entries(entry.headers)) {
    if (!SKIPPED_HEADERS.has(name)) parts.push(`-H ${shellQuote(`${name}: ${value}`)}`)
  }
  if (entry.body !== null && entry.body !== undefined && entry.body !== '') {
    parts.push(`--data ${shellQuote(typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body))}`)
  }
  return parts.join(' \\\n  ')
}

function statusClass (status) {
  return status >= 500 ? 'st-5' : status >= 400 ? 'st-4' : status >= 300 ? 'st-3' : 'st-2'
}

const time = (iso) => iso.slice(11, 23)

function Json ({ value, label }) {
  const text = value === null || value === undefined
    ? '(none)'
    : typeof value === 'string' ? value : JSON.stringify(value, null, 2)
  return html`<pre class="code" aria-label=${label}>${text}</pre>`
}

function Filters ({ filter, onChange, partners }) {
  const [draft, setDraft] = useState(filter)
  const organizations = partners
    .filter((p) => draft.partner_id === '' || p.id === draft.partner_id)
    .flatMap((p) => p.organizations)
  const field = (name) => (event) => setDraft({ ...draft, [name]: event.currentTarget.value })
  const submit = (event) => {
    event.preventDefault()
    onChange(draft)
  }
  const clear = () => {
    const empty = { partner_id: '', organization_id: '', method: '', path: '', status: '', touches: '' }
    setDraft(empty)
    onChange(empty)
  }
  return html`
    <form class="filters" onSubmit=${submit} aria-label="Filter requests">
      <label>Partner
        <select value=${draft.partner_id} onChange=${field('partner_id')} name="partner_id">
          <option value="">any</option>
          ${partners.filter((p) => p.id !== null).map((p) => html`<option value=${p.id}>${p.name}</option>`)}
        </select>
      </label>
      <label>Organization
        <select value=${draft.organization_id} onChange=${field('organization_id')} name="organization_id">
          <option value="">any</option>
          ${organizations.map((o) => html`<option value=${o.id}>${o.name}</option>`)}
        </select>
      </label>
      <label>Method
        <select value=${draft.method} onChange=${field('method')} name="method">
          ${METHODS.map((m) => html`<option value=${m}>${m === '' ? 'any' : m}</option>`)}
        </select>
      </label>
      <label>Path <input name="path" value=${draft.path} onInput=${field('path')} placeholder="/api/connections*" /></label>
      <label>Status <input name="status" value=${draft.status} onInput=${field('status')} inputmode="numeric" size="4" placeholder="422" /></label>
      <label>Touches id <input name="touches" value=${draft.touches} onInput=${field('touches')} placeholder="an id" /></label>
      <button type="submit">Apply</button>
      <button type="button" class="quiet" onClick=${clear}>Clear</button>
    </form>`
}

function Detail ({ entry, faults, onClose }) {
  const [copied, setCopied] = useState('')
  const reason = failureReason(entry, faults)
  const curl = asCurl(entry)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(curl)
      setCopied('Copied.')
    } catch {
      setCopied('The browser refused the clipboard: select the command below.')
    }
  }
  return html`
    <section class="detail" aria-label="Request ${entry.id}">
      <header>
        <h2><span class="method">${entry.method}</span> ${entry.path}</h2>
        <button type="button" class="quiet" onClick=${onClose} aria-label="Close the request">Close</button>
      </header>
      <p class="facts">
        <span class=${`status ${statusClass(entry.status)}`}>${entry.status}</span>
        ${' '}${entry.time} · ${entry.duration_ms} ms · #${entry.id}
        ${entry.retry_of !== null ? html` · retry of #${entry.retry_of}` : null}
        ${entry.partner_id !== null ? html` · partner ${entry.partner_id}` : null}
        ${entry.organization_id !== null ? html` · organization ${entry.organization_id}` : null}
      </p>
      ${reason !== null
        ? html`<div class=${`reason reason-${reason.kind}`} role="note"><strong>${reason.title}</strong><p>${reason.detail}</p></div>`
        : null}
      <div class="row">
        <button type="button" onClick=${copy}>Copy as curl</button>
        <span aria-live="polite">${copied}</span>
      </div>
      <details><summary>curl</summary><pre class="code">${curl}</pre></details>
      <h3>Body ${entry.body_truncated ? html`<small>(cut: ${entry.body_size} bytes sent)</small>` : null}</h3>
      <${Json} value=${entry.body} label="request body" />
      <h3>Response ${entry.response_truncated ? html`<small>(cut: ${entry.response_size} bytes)</small>` : null}</h3>
      <${Json} value=${entry.response} label="response body" />
      <h3>Request headers</h3>
      <table class="kv"><tbody>
        ${Object.entries(entry.headers).map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${String(v)}</td></tr>`)}
      </tbody></table>
      ${Object.keys(entry.query).length > 0 ? html`<h3>Query</h3><${Json} value=${entry.query} label="query" />` : null}
    </section>`
}

export function RequestsView ({ entries, filter, onFilter, partners, faults, selected, onSelect, live }) {
  const open = entries.find((e) => e.id === selected)
  return html`
    <div class="requests">
      <${Filters} filter=${filter} onChange=${onFilter} partners=${partners} key=${JSON.stringify(filter)} />
      <p class="live" aria-live="polite">${live === 'live' ? 'Live: new requests appear as they arrive.' : live === 'refused' ? 'The live feed was refused: check the admin token.' : 'Connecting to the live feed…'}</p>
      <div class=${open === undefined ? 'split' : 'split open'}>
        ${entries.length === 0
          ? html`<div class="empty">
              <p><strong>No requests yet.</strong></p>
              <p>Point your app (or the official SDK) at <code>${ORIGIN}</code> with a key from the World view, and each call it makes shows here as it arrives.</p>
            </div>`
          : html`<table class="journal">
              <thead><tr><th scope="col">Time</th><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Status</th><th scope="col">ms</th></tr></thead>
              <tbody>
                ${entries.map((e) => html`
                  <tr key=${e.id} class=${e.id === selected ? 'selected' : ''} data-id=${e.id}>
                    <td>${time(e.time)}</td>
                    <td class="method">${e.method}</td>
                    <td class="path"><button type="button" class="link" onClick=${() => onSelect(e.id)}>${e.path}</button>${e.fault !== null ? html` <span class="badge">fault</span>` : null}${e.retry_of !== null ? html` <span class="badge">retry</span>` : null}</td>
                    <td><span class=${`status ${statusClass(e.status)}`}>${e.status}</span></td>
                    <td>${e.duration_ms}</td>
                  </tr>`)}
              </tbody>
            </table>`}
        ${open !== undefined ? html`<${Detail} entry=${open} faults=${faults} onClose=${() => onSelect(null)} key=${open.id} />` : null}
      </div>
    </div>`
}
