import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../core/errors.js'
import { ConnectTokenParam } from '../schemas/admin.js'
import type { ConnectSession } from '../../store/connections/connect.js'
import type { ConnectionTypeEntry } from '../../store/connections/connection-types.js'

/** The largest form a customer can submit (a BigQuery service-account key is a few kilobytes). */
const FORM_LIMIT = 256 * 1024

function escapeHtml (text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function page (session: ConnectSession, title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Polytomic Connect (simulated)</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}
input,select{width:100%;padding:.4rem;box-sizing:border-box}input[type=checkbox]{width:auto}.error{color:#b00020;border:1px solid;padding:.6rem}
body.dark{background:#15171c;color:#e8e8e8}body.dark input,body.dark select{background:#23262d;color:#e8e8e8;border:1px solid #444}</style></head>
<body class="${session.dark ? 'dark' : 'light'}"><h1>${escapeHtml(title)}</h1>
${body}
<p><small>polytomic-mock: this page stands in for Polytomic's hosted Connect modal.</small></p></body></html>`
}

/** The type choice: one link per offered type. */
function pickerPage (session: ConnectSession): string {
  const items = session.types
    .map(
      (entry) =>
        `<li><a href="?type=${encodeURIComponent(entry.definition.id)}">${escapeHtml(entry.definition.name)}</a></li>`
    )
    .join('\n')
  return page(session, `Connect ${session.name}`, `<p>Choose what to connect:</p>\n<ul id="types">\n${items}\n</ul>`)
}

/** The configuration form of one type, from its JSON Schema; secrets are password fields and never echoed back. */
function formPage (
  session: ConnectSession,
  entry: ConnectionTypeEntry,
  values: Record<string, string>,
  error: string | null
): string {
  const required = new Set(entry.definition.configuration.required ?? [])
  const fields = Object.entries(entry.definition.configuration.properties)
    .map(([name, field]) => {
      const id = `f-${name}`
      const label = `<label for="${id}">${escapeHtml(field.title ?? name)}${required.has(name) ? ' *' : ''}</label>`
      const given =
        field.writeOnly === true ? '' : (values[name] ?? (field.default === undefined ? '' : String(field.default)))
      if (field.enum !== undefined) {
        const options = field.enum
          .map(
            (v) => `<option value="${escapeHtml(v)}"${String(v) === given ? ' selected' : ''}>${escapeHtml(v)}</option>`
          )
          .join('')
        return `${label}<select id="${id}" name="${escapeHtml(name)}"><option value=""></option>${options}</select>`
      }
      if (field.type === 'boolean') {
        return `<label><input type="checkbox" id="${id}" name="${escapeHtml(name)}" value="true"${given === 'true' ? ' checked' : ''}> ${escapeHtml(field.title ?? name)}</label>`
      }
      const kind = field.writeOnly === true ? 'password' : field.type === 'string' ? 'text' : 'number'
      return `${label}<input type="${kind}" id="${id}" name="${escapeHtml(name)}" value="${escapeHtml(given)}"${required.has(name) ? ' required' : ''}>`
    })
    .join('\n')
  const problem = error === null ? '' : `<p class="error" role="alert">${escapeHtml(error)}</p>\n`
  return page(
    session,
    `Connect ${session.name}: ${entry.definition.name}`,
    `${problem}<form method="post" action="${escapeHtml(session.token)}">\n<input type="hidden" name="__type" value="${escapeHtml(entry.definition.id)}">\n${fields}\n<p><button type="submit">Connect</button></p>\n</form>`
  )
}

/** Form strings as the type's JSON values: numbers as numbers, checkboxes as booleans, empty fields left out. */
function configurationFrom (entry: ConnectionTypeEntry, form: Record<string, string>): Record<string, unknown> {
  const configuration: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(entry.definition.configuration.properties)) {
    const raw = form[name]
    if (field.type === 'boolean') {
      configuration[name] = raw === 'true' || raw === 'on'
      continue
    }
    if (raw === undefined || raw === '') continue
    const number = Number(raw)
    configuration[name] = field.type === 'string' || raw.trim() === '' || !Number.isFinite(number) ? raw : number
  }
  return configuration
}

/**
 * /connect/:token: the page a customer's browser opens (the redirect_url of POST
 * /api/connections/connect). GET shows the type choice or the form; POST submits it, creates the
 * connection and redirects to the partner's redirect_url with ?connection_id=. Not under /api: no
 * credentials, no journal; the token is the credential.
 */
export default async function connectPageRoutes (app: FastifyInstance): Promise<void> {
  const { store } = app
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    }
  )

  const entryFor = (session: ConnectSession, requested: string | undefined): ConnectionTypeEntry | undefined =>
    session.types.length === 1 ? session.types[0] : session.types.find((entry) => entry.definition.id === requested)

  app.get<{ Params: { token: string }; Querystring: { type?: string } }>(
    '/:token',
    {
      schema: {
        params: ConnectTokenParam,
        querystring: { type: 'object', properties: { type: { type: 'string', maxLength: 64 } } }
      }
    },
    (request, reply) => {
      const session = store.connect.open(request.params.token)
      const entry = entryFor(session, request.query.type)
      reply
        .type('text/html; charset=utf-8')
        .send(entry === undefined ? pickerPage(session) : formPage(session, entry, {}, null))
    }
  )

  app.post<{ Params: { token: string }; Body: Record<string, string> | undefined }>(
    '/:token',
    {
      schema: {
        params: ConnectTokenParam,
        body: { type: 'object', maxProperties: 201, additionalProperties: { type: 'string' } }
      }
    },
    (request, reply) => {
      const session = store.connect.open(request.params.token)
      const form = request.body ?? {}
      const entry = entryFor(session, form.__type)
      if (entry === undefined) return reply.code(422).type('text/html; charset=utf-8').send(pickerPage(session))
      try {
        const { redirectUrl } = store.transaction(() =>
          store.connect.complete(session.token, {
            type: entry.definition.id,
            configuration: configurationFrom(entry, form)
          })
        )
        reply.redirect(redirectUrl, 303)
      } catch (err) {
        // A configuration the type refuses, or a failed check: the form again, with the problem, and the
        // session still open.
        if (!(err instanceof ApiError) || err.status !== 422) throw err
        reply
          .code(422)
          .type('text/html; charset=utf-8')
          .send(formPage(session, entry, form, err.message))
      }
    }
  )
}
