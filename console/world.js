// The World view: partners and their organizations; in one organization, its users, connections, syncs with
// their runs (and the run controls), webhook, events and deliveries. Each thing links to the requests that
// touched it.
import { h } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import htm from 'htm'
import { admin, connectPageUrl, queryOf } from './api.js'

const html = htm.bind(h)
const FINAL = new Set(['completed', 'failed', 'canceled'])

function Touched ({ id, onTouches }) {
  return html`<button type="button" class="link small" onClick=${() => onTouches(id)} title="Requests that touched ${id}">requests</button>`
}

function short (id) {
  return id.slice(0, 8)
}

function counts (execution) {
  if (execution.counts !== undefined) return `${execution.counts.total} records, ${execution.counts.error} errors`
  return `${execution.record_count ?? 0} records, ${execution.error_count ?? 0} errors`
}

function RunLog ({ id }) {
  const [log, setLog] = useState(null)
  useEffect(() => {
    admin('GET', `/executions/${id}`).then((detail) => setLog(detail.console_log), (err) => setLog([{ message: err.message }]))
  }, [id])
  if (log === null) return html`<p>Loading the console log…</p>`
  return html`<pre class="code log" aria-label="Console log of run ${id}">${log.map((line) => `${line.time ?? line.timestamp ?? ''} ${line.level ?? ''} ${line.message ?? JSON.stringify(line)}`).join('\n')}</pre>`
}

/** A run and what can be done to it: each button is POST /__admin/executions/:id/advance. */
function Run ({ run, act, onTouches }) {
  const [message, setMessage] = useState('')
  const [showLog, setShowLog] = useState(false)
  const e = run.execution
  const over = FINAL.has(e.status)
  const advance = (body, what) => act(`${what} run ${short(e.id)}`, () => admin('POST', `/executions/${e.id}/advance`, body))
  return html`
    <li class="run" data-run=${e.id}>
      <div class="run-head">
        <code>${short(e.id)}</code>
        <span class=${`state state-${e.status}`}>${e.status}</span>
        ${run.hanging ? html`<span class="badge">hanging</span>` : null}
        <span>${counts(e)}</span>
        ${e.status_message !== undefined ? html`<span class="message">${e.status_message}</span>` : null}
        <${Touched} id=${e.id} onTouches=${onTouches} />
        <button type="button" class="link small" onClick=${() => setShowLog(!showLog)} aria-expanded=${showLog}>console log</button>
      </div>
      ${over
        ? null
        : html`<div class="run-actions" role="group" aria-label="Steer run ${short(e.id)}">
            <button type="button" onClick=${() => advance({}, 'Advanced')}>Advance</button>
            <button type="button" onClick=${() => advance({ status: 'completed' }, 'Completed')}>Complete</button>
            <input aria-label="Failure message" placeholder="failure message" value=${message} onInput=${(ev) => setMessage(ev.currentTarget.value)} />
            <button type="button" onClick=${() => advance(message === '' ? { status: 'failed' } : { status: 'failed', message }, 'Failed')}>Fail</button>
            <button type="button" onClick=${() => advance({ status: 'hanging' }, 'Held')}>Hang</button>
            <button type="button" onClick=${() => advance({ status: 'canceled' }, 'Canceled')}>Cancel</button>
          </div>`}
      ${showLog ? html`<${RunLog} id=${e.id} key=${e.status} />` : null}
    </li>`
}

function Syncs ({ title, syncs, connections, act, onTouches }) {
  if (syncs.length === 0) return null
  const name = (id) => connections.find((c) => c.id === id)?.name ?? short(id)
  return html`
    <section aria-label=${title}>
      <h3>${title}</h3>
      ${syncs.map((s) => html`
        <article class="sync" data-sync=${s.id}>
          <h4>${s.name} <small>${s.active ? 'active' : 'paused'} · ${s.connection_ids.map(name).join(' → ')}</small> <${Touched} id=${s.id} onTouches=${onTouches} /></h4>
          ${s.executions.length === 0
            ? html`<p class="hint">No runs yet: the app starts one with POST …/executions.</p>`
            : html`<ul class="runs">${s.executions.map((run) => html`<${Run} run=${run} act=${act} onTouches=${onTouches} key=${run.execution.id} />`)}</ul>`}
        </article>`)}
    </section>`
}

function Organization ({ id, act, onTouches, version }) {
  const [view, setView] = useState(null)
  const [deliveries, setDeliveries] = useState([])
  const [error, setError] = useState(null)
  useEffect(() => {
    let gone = false
    const load = () => Promise.all([
      admin('GET', `/organizations/${id}`),
      admin('GET', `/deliveries${queryOf({ organization_id: id, limit: 20 })}`)
    ]).then(([v, d]) => {
      if (gone) return
      setView(v)
      setDeliveries(d)
      setError(null)
    }, (err) => !gone && setError(err.message))
    load()
    // Runs move on their own as simulated time passes: look again every few seconds while this is open.
    const timer = setInterval(load, 3000)
    return () => {
      gone = true
      clearInterval(timer)
    }
  }, [id, version])
  if (error !== null) return html`<p class="error" role="alert">${error}</p>`
  if (view === null) return html`<p>Loading…</p>`
  return html`
    <div class="organization" data-organization=${view.id}>
      <h2>${view.name} <small><code>${view.id}</code></small> <${Touched} id=${view.id} onTouches=${onTouches} /></h2>
      <section aria-label="Users">
        <h3>Users</h3>
        ${view.users.length === 0 ? html`<p class="hint">No users.</p>` : html`<ul>${view.users.map((u) => html`<li>${u.email} <small>${u.roles.join(', ')}</small> <${Touched} id=${u.id} onTouches=${onTouches} /></li>`)}</ul>`}
      </section>
      <section aria-label="Connections">
        <h3>Connections</h3>
        ${view.connections.length === 0
          ? html`<p class="hint">No connections: the app creates them with POST /api/connections, or a customer through Connect.</p>`
          : html`<ul>${view.connections.map((c) => html`
              <li data-connection=${c.id}>${c.name} <small>${c.type ?? 'shared copy'}</small>${' '}
                <span class=${`state state-${c.status}`}>${c.status}</span>${' '}
                ${c.status_error !== null ? html`<span class="message">${c.status_error}</span>` : null}${' '}
                <${Touched} id=${c.id} onTouches=${onTouches} /></li>`)}</ul>`}
        ${view.connect_sessions.length > 0
          ? html`<h4>Pending Connect sessions</h4><ul>${view.connect_sessions.map((s) => html`
              <li>${s.name} <small>until ${s.expires_at}</small> <a href=${connectPageUrl(s.token)} target="_blank" rel="noopener">open its page</a></li>`)}</ul>`
          : null}
      </section>
      <${Syncs} title="Bulk syncs" syncs=${view.bulk_syncs} connections=${view.connections} act=${act} onTouches=${onTouches} />
      <${Syncs} title="Model syncs" syncs=${view.model_syncs} connections=${view.connections} act=${act} onTouches=${onTouches} />
      <section aria-label="Webhooks">
        <h3>Webhook</h3>
        ${view.webhooks.length === 0 ? html`<p class="hint">No webhook.</p>` : view.webhooks.map((w) => html`<p>${w.endpoint} ${w.disabled ? html`<span class="badge">disabled</span>` : null} <${Touched} id=${w.id} onTouches=${onTouches} /></p>`)}
      </section>
      <section aria-label="Events">
        <h3>Recent events</h3>
        ${view.events.length === 0 ? html`<p class="hint">No events yet.</p>` : html`<ul class="events">${view.events.map((e) => html`<li><code>${e.type}</code> <small>${e.created_at}</small></li>`)}</ul>`}
      </section>
      <section aria-label="Deliveries">
        <h3>Deliveries</h3>
        ${deliveries.length === 0
          ? html`<p class="hint">No webhook deliveries yet.</p>`
          : html`<div class="wide"><table class="deliveries"><thead><tr><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Outcome</th><th scope="col">Response</th><th scope="col">Signature</th></tr></thead><tbody>
              ${deliveries.map((d) => html`<tr>
                <td><code>${d.event_type}</code></td>
                <td>${d.attempt}</td>
                <td>${d.outcome}${d.error ? html` <small>${d.error}</small>` : null}</td>
                <td>${d.status ?? '–'}</td>
                <td><code class="clip" title=${d.signature ?? ''}>${d.signature ?? '–'}</code></td>
              </tr>`)}</tbody></table></div>`}
      </section>
    </div>`
}

export function WorldView ({ partners, selected, onSelect, act, onTouches, version, onCreateTenant }) {
  if (partners.length === 0 || partners.every((p) => p.organizations.length === 0)) {
    return html`<div class="empty">
      <p><strong>The world is empty.</strong></p>
      <p>Start with a tenant of your own (a partner, an organization, an admin user and their keys), load a fixture document with <code>PUT /__admin/fixtures</code>, or restart the simulator on its bundled fixtures.</p>
      <button type="button" onClick=${onCreateTenant}>Create a tenant</button>
    </div>`
  }
  return html`
    <div class="world">
      <nav aria-label="Partners and organizations" class="tree">
        ${partners.map((p) => html`
          <div class="partner">
            <h3>${p.name}</h3>
            <ul>${p.organizations.map((o) => html`
              <li><button type="button" class=${o.id === selected ? 'link current' : 'link'} aria-current=${o.id === selected ? 'true' : undefined} onClick=${() => onSelect(o.id)}>${o.name}</button>
                <small>${o.users} users · ${o.connections} connections · ${o.syncs} syncs</small></li>`)}</ul>
          </div>`)}
      </nav>
      <div class="pane">
        ${selected === null
          ? html`<p class="hint">Choose an organization to see what it holds.</p>`
          : html`<${Organization} id=${selected} act=${act} onTouches=${onTouches} version=${version} key=${selected} />`}
      </div>
    </div>`
}
