import { nestsDeeperThan } from './json.js'
import { LIMITS } from './limits.js'

/**
 * The one list of secret fields, read by the logger's redaction, the request journal and redacted
 * fixture exports. A rule is a field name ("client_secret": that field wherever it is) or a
 * parent and a field ("data.value": a `value` directly inside `data`; array elements belong to
 * the field that holds the array). A secret's field is kept and its value replaced, so a reader
 * can see that it was there.
 */
export const SECRET_FIELDS = [
  // Credentials in headers, wherever a header object is logged (the journal keeps Authorization
  // as a fingerprint instead: src/http/plugins/journal.ts).
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  // An organization's OIDC client secret (organizations API, fixtures).
  'client_secret',
  // An API key as it is minted (POST .../users/:id/keys), in each envelope.
  'data.value',
  'result.value',
  // Keys in a fixture document.
  'partners.key',
  'api_keys.key',
  'deployment_keys',
  // Names that hold a secret wherever they appear.
  'secret',
  'password',
  'token',
  'partner_key',
  'admin_user_key',
  // A model sync's field-encryption passphrase (echoed by the API, as the SDK's type has it).
  'encryption_passphrase',
  // Names that hold a key wherever they appear, in a body or a URL's query.
  'api_key',
  'access_token',
  'refresh_token',
  // A run log file's signed URL (src/store/syncs/run-logs.ts): its signature is what lets anyone read it.
  'signature'
] as const

export const REDACTED = '[redacted]'

interface Rule {
  parent: string | null
  name: string
}

function ruleOf (field: string): Rule {
  const dot = field.indexOf('.')
  return dot === -1 ? { parent: null, name: field } : { parent: field.slice(0, dot), name: field.slice(dot + 1) }
}

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * The rules in force: SECRET_FIELDS, plus the secret configuration fields of every connection type
 * the process has seen ("configuration.password"), added by addSecretFields. They only grow:
 * hiding a field of a type another app defined costs nothing.
 */
const RULES: Rule[] = SECRET_FIELDS.map(ruleOf)
const KNOWN = new Set<string>(SECRET_FIELDS)
let NAMES = new Set<string>()
/** A quick test before any parsing: does the text name a secret field at all? */
let MENTIONS_SECRET = /$^/
/** For text that is not JSON (cut short, malformed): a secret field's string value, closed or not. */
let SECRET_STRING_VALUE = /$^/g
/** A URL's query parameter named like a secret field: `?password=...`, `&token=...`. */
let SECRET_QUERY_PARAMETER = /$^/g
/** A quick test before any parsing: could the text hold a secret in a URL? */
let MENTIONS_URL_SECRET = /$^/

/** Credentials in a URL (`https://user:pass@host`): the whole user information goes. */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s?#@"']*@/gi
/** The hosted Connect page's path: its token is the session's secret (src/http/routes/connect-page.ts). */
const CONNECT_PAGE_TOKEN = /(\/connect\/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
/** A JSON member whose name has an escape in it ("secr\u0065t"), with its string value, closed or not. */
const ESCAPED_NAME_STRING_VALUE = /("((?:[^"\\]|\\.)*\\(?:[^"\\]|\\.)*)"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|$)/g

function compileRules (): void {
  NAMES = new Set(RULES.map((rule) => rule.name))
  const alternatives = [...NAMES].map(escapeRegExp).join('|')
  MENTIONS_SECRET = new RegExp(`"(?:${alternatives})"\\s*:|\\\\u`)
  SECRET_STRING_VALUE = new RegExp(`("(?:${alternatives})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*(?:"|$)`, 'g')
  SECRET_QUERY_PARAMETER = new RegExp(`([?&](?:${alternatives})=)[^&#\\s"']*`, 'gi')
  MENTIONS_URL_SECRET = new RegExp(`:\\/\\/[^/\\s?#@"']*@|[?&](?:${alternatives})=|\\/connect\\/[0-9a-f]{8}-`, 'i')
}
compileRules()

/** Adds secret fields ("configuration.api_key") to the rules of the journal and of exports. */
export function addSecretFields (fields: Iterable<string>): void {
  let added = false
  for (const field of fields) {
    if (KNOWN.has(field)) continue
    KNOWN.add(field)
    RULES.push(ruleOf(field))
    added = true
  }
  if (added) compileRules()
}

function isSecret (name: string, parent: string | null): boolean {
  if (!NAMES.has(name)) return false
  return RULES.some((rule) => rule.name === name && (rule.parent === null || rule.parent === parent))
}

/** pino redact paths for the same rules: the field at the top of a logged object and one level down. */
export function loggerRedactPaths (): string[] {
  const paths = new Set<string>()
  for (const { parent, name } of RULES) {
    if (parent === null) {
      paths.add(name)
      paths.add(`*.${name}`)
    } else {
      for (const path of [`${parent}.${name}`, `${parent}[*].${name}`]) {
        paths.add(path)
        paths.add(`*.${path}`)
      }
    }
  }
  return [...paths]
}

/**
 * A text with every secret a URL in it can carry replaced: the user information
 * (`https://[redacted]@host`), query parameters named like a secret field (`?token=[redacted]`) and
 * the token in the hosted Connect page's path. A text that holds none comes back as it is.
 */
export function redactUrlSecrets (text: string): string {
  if (!MENTIONS_URL_SECRET.test(text)) return text
  return text
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(SECRET_QUERY_PARAMETER, `$1${REDACTED}`)
    .replace(CONNECT_PAGE_TOKEN, `$1${REDACTED}`)
}

function redactedValue (value: unknown): unknown {
  return Array.isArray(value) ? value.map(() => REDACTED) : REDACTED
}

/**
 * A copy of a JSON-like value with every secret field's value replaced. Iterative, so any depth is
 * safe; a value that refers to itself is copied once.
 */
export function redactSecrets<T> (value: T): T {
  if (typeof value === 'string') return redactUrlSecrets(value) as T
  if (typeof value !== 'object' || value === null) return value
  const root: unknown = Array.isArray(value) ? [] : {}
  const copies = new Map<object, unknown>([[value, root]])
  const stack: Array<{ source: object; target: Record<string, unknown> | unknown[]; holder: string | null }> = [
    { source: value, target: root as Record<string, unknown>, holder: null }
  ]
  while (stack.length > 0) {
    const { source, target, holder } = stack.pop() as (typeof stack)[number]
    const isArray = Array.isArray(source)
    for (const [key, child] of Object.entries(source as Record<string, unknown>)) {
      const slot = isArray ? Number(key) : key
      const set = (v: unknown): void => {
        ;(target as Record<string | number, unknown>)[slot] = v
      }
      if (!isArray && isSecret(key, holder)) {
        set(redactedValue(child))
        continue
      }
      if (typeof child === 'string') {
        set(redactUrlSecrets(child))
        continue
      }
      if (typeof child !== 'object' || child === null) {
        set(child)
        continue
      }
      const known = copies.get(child)
      if (known !== undefined) {
        set(known)
        continue
      }
      const copy: Record<string, unknown> | unknown[] = Array.isArray(child) ? [] : {}
      copies.set(child, copy)
      set(copy)
      stack.push({ source: child, target: copy, holder: isArray ? holder : key })
    }
  }
  return root as T
}

/**
 * JSON text with every secret's value replaced, for the journal. Text that names no secret field
 * comes back untouched (the common case, one regular expression). Whole JSON is rewritten
 * exactly; anything else (cut short, malformed, nested too deeply to rebuild) has secret string
 * values replaced in place, erring on the side of hiding.
 */
export function redactJsonText (text: string, maxDepth: number): string {
  if (!MENTIONS_SECRET.test(text) && !MENTIONS_URL_SECRET.test(text)) return text
  if (!nestsDeeperThan(text, maxDepth)) {
    try {
      return JSON.stringify(redactSecrets(JSON.parse(text) as unknown))
    } catch {
      // fall through to the textual form
    }
  }
  return redactUrlSecrets(
    text
      .replace(SECRET_STRING_VALUE, `$1"${REDACTED}"`)
      // Text cannot show a member's parent: a secret's name is enough, erring on the side of hiding.
      .replace(ESCAPED_NAME_STRING_VALUE, (member: string, head: string, name: string) =>
        NAMES.has(decodedName(name)) ? `${head}"${REDACTED}"` : member
      )
  )
}

/** A JSON member name as its escapes spell it; one that does not decode (cut in the middle of one) as written. */
function decodedName (name: string): string {
  try {
    return JSON.parse(`"${name}"`) as string
  } catch {
    return name
  }
}

/** Whether a JSON text holds anything the secrets rules would hide (a minted key, a token in a URL, ...). */
export function holdsSecret (text: string): boolean {
  return redactJsonText(text, LIMITS.jsonDepth) !== text
}
