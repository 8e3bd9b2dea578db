// The console's page: the token gate, three views (requests, world, controls) and one line that says what the
// last control did. Preact with htm: plain modules, no build step.
import { h, render } from 'preact'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import htm from 'htm'
import { AdminFailure, admin, adminToken, follow, queryOf, setAdminToken } from './api.js'
import { RequestsView } from './requests.js'
import { WorldView } from './world.js'
import { ControlsView } from './controls.js'

const html = htm.bind(h)
const TABS = [['requests', 'Requests'], ['world', 'World'], ['controls', 'Controls']]
/** Entries the page keeps; older ones are still in the journal (GET /__admin/requests). */
const KEPT = 500
const NO_FILTER = { partner_id: '', organization_id: '', method: '', path: '', status: '', touches: '' }

function TokenGate ({ refused, onToken }) {
  const [value, setValue] = useState('')
  const submit = (event) => {
    event.preventDefault()
    onToken(value)
  }
  return html`<main class="gate">
    <h1>polytomic-mock console</h1>
    <form onSubmit=${submit} aria-label="Open the console">
      <p>This simulator was started with an <code>ADMIN_TOKEN</code>. Enter it to open the console; it is kept for this tab only.</p>
      <label for="token">Admin token <input id="token" name="token" type="password" autocomplete="off" value=${value} onInput=${(e) => setValue(e.currentTarget.value)} /></label>
      <button type="submit">Open</button>
      ${refused ? html`<p class="error" role="alert">That token was refused.</p>` : null}
    </form>
  </main>`
}

function tabOf (hash) {
  const name = hash.replace(/^#/, '')
  return TABS.some(([id]) => id === name) ? name : 'requests'
}

/** What an admin call answered, in a few words, for the status line. */
function summary (answer) {
  if (answer === null || typeof answer !== 'object') return ''
  if (answer.execution !== undefined) return `: the run is ${answer.execution.status}${answer.hanging ? ' (hanging)' : ''}`
  if (typeof answer.settled === 'boolean') return answer.settled ? ': every delivery settled' : `: ${answer.pending} still pending`
  if (typeof answer.finished === 'number') return `: ${answer.finished} runs finished, ${answer.hanging} hanging`
  if (typeof answer.now === 'string') return `: simulated time is ${answer.now}`
  if (typeof answer.id === 'string') return ` (${answer.id})`
  return ''
}

function App () {
  const [gate, setGate] = useState('checking')
  const [tab, setTab] = useState(tabOf(window.location.hash))
  const [partners, setPartners] = useState([])
  const [faults, setFaults] = useState([])
  const [entries, setEntries] = useState([])
  const [filter, setFilter] = useState(NO_FILTER)
  const [selected, setSelected] = useState(null)
  const [organization, setOrganization] = useState(null)
  const [live, setLive] = useState('connecting')
  const [status, setStatus] = useState(null)
  const [version, setVersion] = useState(0)
  const stopFollowing = useRef(null)

  const refresh = useCallback(() => setVersion((v) => v + 1), [])

  const open = useCallback(async () => {
    try {
      // Health needs no token and says whether the rest does: no call is refused before the token is asked for.
      const health = await admin('GET', '/health')
      if (health.token_required && adminToken() === null) {
        setGate('locked')
        return
      }
      const list = await admin('GET', '/partners')
      setPartners(list)
      setGate('open')
      if (organization === null) {
        const first = list.find((p) => p.organizations.length > 0)?.organizations[0]
        if (first !== undefined) setOrganization(first.id)
      }
    } catch (err) {
      if (err instanceof AdminFailure && err.status === 401) setGate(adminToken() === null ? 'locked' : 'refused')
      else setStatus({ ok: false, text: err.message })
    }
  }, [organization])

  useEffect(() => { open() }, [version])

  useEffect(() => {
    const onHash = () => setTab(tabOf(window.location.hash))
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }, [])

  useEffect(() => {
    if (gate !== 'open') return
    admin('GET', '/faults').then(setFaults, () => {})
  }, [gate, version])

  // The journal: what is there now, then each new entry as it is recorded.
  useEffect(() => {
    if (gate !== 'open') return
    let gone = false
    // The newest entry of all first: the feed starts after it (or after the newest shown), so that nothing
    // recorded in between is missed or shown twice.
    admin('GET', '/requests?limit=1').then(async ([newest]) => {
      const list = await admin('GET', `/requests${queryOf({ ...filter, limit: KEPT })}`)
      return [list, Math.max(newest?.id ?? 0, list[0]?.id ?? 0)]
    }).then(([list, after]) => {
      if (gone) return
      setEntries(list)
      stopFollowing.current = follow(filter, after, (entry) => {
        setEntries((now) => [entry, ...now].slice(0, KEPT))
      }, setLive)
    }, (err) => setStatus({ ok: false, text: err.message }))
    return () => {
      gone = true
      stopFollowing.current?.()
      stopFollowing.current = null
    }
  }, [gate, filter])

  const act = useCallback(async (label, call) => {
    setStatus({ ok: true, text: `${label}…` })
    try {
      const answer = await call()
      setStatus({ ok: true, text: `${label}${summary(answer)}.` })
    } catch (err) {
      setStatus({ ok: false, text: `${label} was refused: ${err.message}` })
    }
    refresh()
  }, [refresh])

  const onToken = (token) => {
    setAdminToken(token)
    setGate('checking')
    refresh()
  }

  const choose = (id) => {
    window.location.hash = id
    setTab(id)
  }

  const touches = (id) => {
    setFilter({ ...NO_FILTER, touches: id })
    setSelected(null)
    choose('requests')
  }

  const createTenant = () => act('Created a tenant', () => admin('POST', '/tenants', {}))

  if (gate === 'checking') return html`<p class="loading">Opening the console…</p>`
  if (gate === 'locked' || gate === 'refused') return html`<${TokenGate} refused=${gate === 'refused'} onToken=${onToken} />`

  const organizations = partners.flatMap((p) => p.organizations)
  return html`
    <header class="top">
      <h1>polytomic-mock <span>console</span></h1>
      <nav role="tablist" aria-label="Views">
        ${TABS.map(([id, label]) => html`<button type="button" role="tab" id=${`tab-${id}`} aria-selected=${tab === id} aria-controls="view" onClick=${() => choose(id)}>${label}</button>`)}
      </nav>
      ${adminToken() !== null ? html`<button type="button" class="quiet" onClick=${() => { setAdminToken(null); setGate('locked') }}>Forget the token</button>` : null}
    </header>
    <p class=${status === null ? 'status' : status.ok ? 'status ok' : 'status bad'} role="status" aria-live="polite">${status?.text ?? 'Every button here is an admin API call, the same one a test would make.'}</p>
    <main id="view" role="tabpanel" aria-labelledby=${`tab-${tab}`}>
      ${tab === 'requests'
        ? html`<${RequestsView} entries=${entries} filter=${filter} onFilter=${(f) => { setSelected(null); setFilter(f) }} partners=${partners} faults=${faults} selected=${selected} onSelect=${setSelected} live=${live} />`
        : tab === 'world'
          ? html`<${WorldView} partners=${partners} selected=${organization} onSelect=${setOrganization} act=${act} onTouches=${touches} version=${version} onCreateTenant=${createTenant} />`
          : html`<${ControlsView} act=${act} version=${version} organizations=${organizations} />`}
    </main>`
}

render(html`<${App} />`, document.getElementById('root'))
