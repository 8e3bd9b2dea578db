// The Controls view: every steering control of the admin API as a form, each the same call a test makes
// (docs/admin-api.md), with the rules in force and a way to remove them.
import { h } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import htm from 'htm'
import { admin } from './api.js'

const html = htm.bind(h)

/** The form's values as a body: empty fields left out, numbers as numbers, checkboxes as booleans. */
function bodyOf (fields, values) {
  const body = {}
  for (const field of fields) {
    const value = values[field.name]
    if (field.type === 'checkbox') {
      if (value === true) body[field.name] = true
    } else if (value !== undefined && value !== '') {
      body[field.name] = field.type === 'number' ? Number(value) : value
    }
  }
  return body
}

function Field ({ field, value, onInput, prefix }) {
  const id = `${prefix}-${field.name}`
  if (field.type === 'select') {
    return html`<label for=${id}>${field.label}
      <select id=${id} name=${field.name} value=${value ?? ''} onChange=${(e) => onInput(e.currentTarget.value)}>
        ${field.optional === false ? null : html`<option value="">${field.blank ?? 'any'}</option>`}
        ${field.options.map((o) => (typeof o === 'string' ? html`<option value=${o}>${o}</option>` : html`<option value=${o.value}>${o.label}</option>`))}
      </select></label>`
  }
  if (field.type === 'checkbox') {
    return html`<label for=${id} class="check"><input id=${id} type="checkbox" name=${field.name} checked=${value === true} onChange=${(e) => onInput(e.currentTarget.checked)} /> ${field.label}</label>`
  }
  return html`<label for=${id}>${field.label}
    <input id=${id} name=${field.name} type=${field.type === 'number' ? 'number' : 'text'} value=${value ?? ''} placeholder=${field.placeholder ?? ''} onInput=${(e) => onInput(e.currentTarget.value)} /></label>`
}

/** A form that makes one admin call: fields, a button, and (given) what to do with the answer. */
function ControlForm ({ name, fields, submit, label, act, initial = {} }) {
  const chosen = Object.fromEntries(fields.filter((f) => f.optional === false && f.options.length > 0)
    .map((f) => [f.name, typeof f.options[0] === 'string' ? f.options[0] : f.options[0].value]))
  const [values, setValues] = useState({ ...chosen, ...initial })
  const onSubmit = (event) => {
    event.preventDefault()
    act(label, () => submit(bodyOf(fields, values)))
  }
  return html`<form class="control" onSubmit=${onSubmit} aria-label=${label} data-control=${name}>
    ${fields.map((f) => html`<${Field} field=${f} value=${values[f.name]} prefix=${name} onInput=${(v) => setValues({ ...values, [f.name]: v })} />`)}
    <button type="submit">${label}</button>
  </form>`
}

/** A list of rules (GET path) with their remove buttons (DELETE path/:id), and the form that adds one (POST path). */
function Rules ({ title, path, fields, describe, act, version }) {
  const [rules, setRules] = useState([])
  useEffect(() => {
    admin('GET', path).then(setRules, () => setRules([]))
  }, [path, version])
  return html`<section class="card" aria-label=${title}>
    <h3>${title}</h3>
    <${ControlForm} name=${path.slice(1)} fields=${fields} label=${`Add ${title.toLowerCase().replace(/s$/, '')}`} act=${act} submit=${(body) => admin('POST', path, body)} />
    ${rules.length === 0
      ? html`<p class="hint">None in force.</p>`
      : html`<ul class="rules">${rules.map((rule) => html`<li><code>${rule.id.slice(0, 8)}</code> ${describe(rule)}
          <button type="button" class="quiet" onClick=${() => act(`Removed rule ${rule.id.slice(0, 8)}`, () => admin('DELETE', `${path}/${rule.id}`))}>Remove</button></li>`)}</ul>
        <button type="button" class="quiet" onClick=${() => act(`Cleared ${title.toLowerCase()}`, () => admin('DELETE', path))}>Remove all</button>`}
  </section>`
}

const times = (rule) => (rule.times === undefined ? 'until removed' : `${rule.times} times`)

function Snapshots ({ act, version }) {
  const [list, setList] = useState([])
  const [confirming, setConfirming] = useState(false)
  useEffect(() => {
    admin('GET', '/snapshots').then(setList, () => setList([]))
  }, [version])
  return html`<section class="card" aria-label="Snapshots and reset">
    <h3>Snapshots and reset</h3>
    <${ControlForm} name="snapshots" fields=${[{ name: 'name', label: 'Name', placeholder: 'before-the-demo' }]} label="Save a snapshot" act=${act} submit=${(body) => admin('POST', '/snapshots', body)} />
    ${list.length === 0
      ? html`<p class="hint">No snapshots saved.</p>`
      : html`<ul class="rules">${list.map((s) => html`<li><strong>${s.name}</strong> <small>${s.created_at}</small>
          <button type="button" onClick=${() => act(`Restored ${s.name}`, () => admin('POST', `/snapshots/${encodeURIComponent(s.name)}/restore`))}>Restore</button>
          <button type="button" class="quiet" onClick=${() => act(`Deleted snapshot ${s.name}`, () => admin('DELETE', `/snapshots/${encodeURIComponent(s.name)}`))}>Delete</button></li>`)}</ul>`}
    ${confirming
      ? html`<p role="alert">Reset puts the world back to its fixtures and clears rules, the journal and deliveries.
          <button type="button" class="danger" onClick=${() => { setConfirming(false); act('Reset the world', () => admin('POST', '/reset')) }}>Yes, reset</button>
          <button type="button" class="quiet" onClick=${() => setConfirming(false)}>Keep it</button></p>`
      : html`<button type="button" class="danger" onClick=${() => setConfirming(true)}>Reset…</button>`}
  </section>`
}

function Clock ({ act, version }) {
  const [clock, setClock] = useState(null)
  useEffect(() => {
    admin('GET', '/clock').then(setClock, () => setClock(null))
  }, [version])
  return html`<section class="card" aria-label="Clock">
    <h3>Clock</h3>
    <p>Simulated time: <strong>${clock?.now ?? '…'}</strong>${clock !== null && clock.offset_ms > 0 ? ` (${clock.offset_ms / 1000} s ahead)` : ''}</p>
    <${ControlForm} name="clock" fields=${[{ name: 'advance_s', label: 'Seconds', type: 'number', placeholder: '3600' }]} label="Move the clock" act=${act} submit=${(body) => admin('POST', '/clock', body)} />
  </section>`
}

export function ControlsView ({ act, version, organizations }) {
  const orgs = organizations.map((o) => ({ value: o.id, label: o.name }))
  return html`<div class="controls">
    <section class="card" aria-label="Sync runs">
      <h3>Sync runs</h3>
      <p class="hint">A run's own buttons (complete, fail, hang, cancel) are beside it in the World view.</p>
      <${ControlForm} name="settle-runs" fields=${[]} label="Settle every run" act=${act} submit=${() => admin('POST', '/executions/settle')} />
    </section>
    <${Rules} title="Execution rules" path="/execution-rules" act=${act} version=${version}
      fields=${[
        { name: 'outcome', label: 'Outcome', type: 'select', options: ['complete', 'fail', 'complete_with_errors', 'hang'], optional: false },
        { name: 'sync_id', label: 'Sync id', placeholder: 'any sync' },
        { name: 'kind', label: 'Kind', type: 'select', options: ['bulk', 'model'] },
        { name: 'message', label: 'Message', placeholder: 'for fail' },
        { name: 'times', label: 'Times', type: 'number', placeholder: 'until removed' }
      ]}
      describe=${(r) => `${r.outcome}${r.sync_id ? ` sync ${r.sync_id.slice(0, 8)}` : ''}${r.message ? ` "${r.message}"` : ''}, ${times(r)}, fired ${r.fired}`} />
    <${Rules} title="Connection checks" path="/connection-checks" act=${act} version=${version}
      fields=${[
        { name: 'type', label: 'Type', placeholder: 'postgresql' },
        { name: 'name', label: 'Name pattern', placeholder: 'Prod *' },
        { name: 'message', label: 'Message', placeholder: 'connection refused' },
        { name: 'times', label: 'Times', type: 'number', placeholder: 'until removed' }
      ]}
      describe=${(r) => `${r.type ?? 'any type'} ${r.name ?? ''} fails${r.message ? ` "${r.message}"` : ''}, ${times(r)}`} />
    <${Rules} title="Faults" path="/faults" act=${act} version=${version}
      fields=${[
        { name: 'method', label: 'Method', type: 'select', options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
        { name: 'path', label: 'Path', placeholder: '/api/connections*' },
        { name: 'partner_id', label: 'Partner id', placeholder: 'any partner' },
        { name: 'status', label: 'Status', type: 'number', placeholder: '503' },
        { name: 'delay_ms', label: 'Delay ms', type: 'number' },
        { name: 'times', label: 'Times', type: 'number', placeholder: 'until removed' }
      ]}
      describe=${(r) => `${r.method ?? 'any'} ${r.path ?? '*'} → ${r.status ?? `delay ${r.delay_ms} ms`}, ${times(r)}, fired ${r.fired}`} />
    <${Rules} title="Delivery faults" path="/delivery-faults" act=${act} version=${version}
      fields=${[
        { name: 'action', label: 'Action', type: 'select', options: ['drop', 'duplicate', 'delay', 'reorder'], optional: false },
        { name: 'organization_id', label: 'Organization', type: 'select', options: orgs },
        { name: 'event_type', label: 'Event type', placeholder: 'sync.failed' },
        { name: 'delay_ms', label: 'Delay ms', type: 'number' },
        { name: 'times', label: 'Times', type: 'number', placeholder: 'until removed' }
      ]}
      describe=${(r) => `${r.action} ${r.event_type ?? 'any event'}${r.organization_id ? ` of ${r.organization_id.slice(0, 8)}` : ''}, ${times(r)}, fired ${r.fired}`} />
    <section class="card" aria-label="Events and deliveries">
      <h3>Events and deliveries</h3>
      <${ControlForm} name="emit" label="Emit the event" act=${act} submit=${(body) => admin('POST', '/events', body)}
        fields=${[
          { name: 'organization_id', label: 'Organization', type: 'select', options: orgs, optional: false },
          { name: 'type', label: 'Event type', placeholder: 'sync.failed' }
        ]} />
      <${ControlForm} name="settle" label="Settle deliveries" act=${act} submit=${(body) => admin('POST', '/deliveries/settle', body)}
        fields=${[
          { name: 'fast_forward', label: 'Fast-forward retries and delays', type: 'checkbox' },
          { name: 'timeout_ms', label: 'Wait at most (ms)', type: 'number', placeholder: '10000' }
        ]} />
    </section>
    <${Clock} act=${act} version=${version} />
    <${Snapshots} act=${act} version=${version} />
  </div>`
}
