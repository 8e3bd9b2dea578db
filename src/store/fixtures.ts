import { readFileSync } from 'node:fs'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { ApiError } from '../core/errors.js'
import { FixtureDocument, FixtureDocumentShape, type Fixtures } from '../http/schemas/fixtures.js'
import { locateJsonSyntaxError } from '../core/json.js'
import { compileSchema, firstIssue } from '../http/validation.js'
import { canonicalId } from './ids.js'
import type { Store } from './index.js'
import { definitionProblem } from './connections/connection-types.js'

/** A fixture problem, naming the file, the entry and the field. */
export class FixtureError extends Error {
  readonly source: string
  readonly path: string
  readonly problem: string

  constructor (source: string, path: string, problem: string) {
    super(`${source}: ${path === '' ? '' : `${path}: `}${problem}`)
    this.name = 'FixtureError'
    this.source = source
    this.path = path
    this.problem = problem
  }
}

type Collection = keyof typeof FixtureDocument.properties
const COLLECTIONS = Object.keys(FixtureDocument.properties) as Collection[]

/**
 * The document checked in two steps that report what one check of FixtureDocument would: its
 * shape (known collections, each an array), then each collection it has against that collection's
 * schema. A collection's validator compiles the first time a document has that collection, so
 * a world without model syncs never compiles their (large) schema: that compiling was most of a
 * start-up.
 */
const validateShape = compileSchema(FixtureDocumentShape)
const collectionValidators = Object.fromEntries(
  COLLECTIONS.map((name) => [name, compileSchema(FixtureDocument.properties[name])])
) as Record<Collection, ValidateFunction>

function validateCollection (name: Collection, entries: unknown[]): ErrorObject[] {
  const validate = collectionValidators[name]
  if (validate(entries)) return []
  return (validate.errors ?? []).map((error) => ({ ...error, instancePath: `/${name}${error.instancePath}` }))
}

/** Every problem of the document, in the order one validator of the whole would report them. */
function documentErrors (document: unknown): ErrorObject[] {
  const errors = validateShape(document) ? [] : [...(validateShape.errors ?? [])]
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return errors
  for (const name of COLLECTIONS) {
    const entries = (document as Record<string, unknown>)[name]
    if (Array.isArray(entries)) errors.push(...validateCollection(name, entries))
  }
  return errors
}

export function readFixtureFile (file: string): Fixtures {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new FixtureError(file, '', `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (err) {
    const where = locateJsonSyntaxError(text)
    throw new FixtureError(
      file,
      '',
      where === null
        ? `not valid JSON (${(err as Error).message})`
        : `not valid JSON at line ${where.line}, column ${where.column}: ${where.problem}`
    )
  }
  return validateFixtures(document, file)
}

/** Checks a document against the fixture schema; referential checks happen while loading. */
export function validateFixtures (document: unknown, source: string): Fixtures {
  const errors = documentErrors(document)
  if (errors.length === 0) return document as Fixtures
  const issue = firstIssue(errors)
  if (issue === undefined) throw new FixtureError(source, '', 'invalid fixture document')
  throw new FixtureError(source, issue.path, issue.problem)
}

function duplicateCheck (source: string, collection: string, ids: string[], field = 'id'): void {
  const seen = new Set<string>()
  ids.forEach((id, index) => {
    const key = canonicalId(id)
    if (seen.has(key)) throw new FixtureError(source, `${collection}[${index}].${field}`, `duplicate ${field} ${id}`)
    seen.add(key)
  })
}

/** Runs one entry's insert; a rule the store enforces becomes a FixtureError naming the entry and field. */
function entry<T> (source: string, path: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof FixtureError) throw err
    if (err instanceof ApiError) {
      const field = typeof err.metadata.field === 'string' ? `.${err.metadata.field}` : ''
      const problem = typeof err.metadata.problem === 'string' ? err.metadata.problem : err.message
      throw new FixtureError(source, `${path}${field}`, problem)
    }
    throw new FixtureError(source, path, (err as Error).message)
  }
}

/**
 * Loads a validated document into the store. The caller wraps this in one transaction (with a
 * clean world), so a bad entry leaves nothing behind. Rules are the store's own: the same
 * email, role and name checks as the API.
 */
export function loadFixtures (store: Store, fixtures: Fixtures, source: string): void {
  const partners = fixtures.partners ?? []
  const organizations = fixtures.organizations ?? []
  const roles = fixtures.roles ?? []
  const users = fixtures.users ?? []
  const collections = { partners, organizations, roles, users, connections: fixtures.connections ?? [] }
  for (const [name, list] of Object.entries(collections)) duplicateCheck(source, name, list.map((entry) => entry.id))

  const keys = new Set<string>()
  const claimKey = (path: string, key: string): void => {
    if (keys.has(key)) throw new FixtureError(source, path, 'this key is already used by another credential')
    keys.add(key)
  }

  ;(fixtures.deployment_keys ?? []).forEach((key, index) => {
    claimKey(`deployment_keys[${index}]`, key)
    store.credentials.addDeploymentKey(key)
  })

  const partnerIds = new Set(partners.map((p) => canonicalId(p.id)))
  partners.forEach((partner, index) => {
    claimKey(`partners[${index}].key`, partner.key)
    store.credentials.addPartner(
      { id: canonicalId(partner.id), name: partner.name, organization_id: canonicalId(partner.organization_id) },
      partner.key
    )
  })

  organizations.forEach((org, index) => {
    const path = `organizations[${index}]`
    const partnerId = org.partner_id === undefined || org.partner_id === null ? null : canonicalId(org.partner_id)
    if (partnerId !== null && !partnerIds.has(partnerId)) {
      throw new FixtureError(source, `${path}.partner_id`, `no partner with id ${org.partner_id ?? ''}`)
    }
    entry(source, path, () =>
      store.organizations.create(partnerId, org, { id: canonicalId(org.id), systemRoles: false })
    )
  })

  partners.forEach((partner, index) => {
    const owner = store.organizations.find(partner.organization_id)
    if (owner === undefined) {
      throw new FixtureError(
        source,
        `partners[${index}].organization_id`,
        `no organization with id ${partner.organization_id}`
      )
    }
    if (owner.partner_id !== canonicalId(partner.id)) {
      throw new FixtureError(
        source,
        `partners[${index}].organization_id`,
        'the owner organization must list this partner as its partner_id'
      )
    }
  })

  roles.forEach((role, index) => {
    const path = `roles[${index}]`
    const organization = store.organizations.find(role.organization_id)
    if (organization === undefined) {
      throw new FixtureError(source, `${path}.organization_id`, `no organization with id ${role.organization_id}`)
    }
    const kind = role.system === true ? (role.name === 'Admin' ? 'admin' : 'member') : 'custom'
    if (role.system === true && role.name !== 'Admin' && role.name !== 'Member') {
      throw new FixtureError(source, `${path}.name`, 'a system role must be named Admin or Member')
    }
    if (role.system !== true && ['admin', 'member'].includes(role.name.trim().toLowerCase())) {
      throw new FixtureError(
        source,
        `${path}.name`,
        `"${role.name}" is reserved for the system role; mark it "system": true`
      )
    }
    entry(source, path, () => store.roles.create(organization.id, role, { id: canonicalId(role.id), kind }))
  })

  for (const org of organizations) store.roles.ensureSystemRoles(canonicalId(org.id))

  const roleExists = (roleId: string, organizationId: string): boolean =>
    store.roles.find(roleId)?.organization_id === organizationId
  loadEach(store, source, 'policies', fixtures.policies, (organizationId, policy) =>
    store.policies.create(organizationId, policy, roleExists, canonicalId(policy.id))
  )
  loadEach(
    store,
    source,
    'error_subscribers',
    fixtures.error_subscribers,
    (organizationId, subscribers) => store.notifications.setSubscribers(organizationId, subscribers.emails),
    'organization_id'
  )

  users.forEach((user, index) => {
    const path = `users[${index}]`
    const organization = store.organizations.find(user.organization_id)
    if (organization === undefined) {
      throw new FixtureError(source, `${path}.organization_id`, `no organization with id ${user.organization_id}`)
    }
    entry(source, path, () => store.users.create(organization.id, user, { id: canonicalId(user.id) }))
  })

  ;(fixtures.api_keys ?? []).forEach((apiKey, index) => {
    const path = `api_keys[${index}]`
    const organization = store.organizations.find(apiKey.organization_id)
    if (organization === undefined) {
      throw new FixtureError(source, `${path}.organization_id`, `no organization with id ${apiKey.organization_id}`)
    }
    let userId: string | null = null
    if (apiKey.user_id !== undefined) {
      userId = canonicalId(apiKey.user_id)
      entry(source, `${path}.user_id`, () => store.users.find(organization.id, apiKey.user_id as string))
    }
    if (apiKey.key !== undefined) {
      claimKey(`${path}.key`, apiKey.key)
      const value = apiKey.key
      entry(source, `${path}.key`, () => store.credentials.addApiKey(value, organization.id, userId))
    } else if (apiKey.key_sha256 !== undefined) {
      const digest = apiKey.key_sha256
      entry(source, `${path}.key_sha256`, () => store.credentials.addApiKeyDigest(digest, organization.id, userId))
    } else {
      throw new FixtureError(source, `${path}.key`, 'is required (or key_sha256)')
    }
  })

  loadConnections(store, fixtures, source)
  loadEvents(store, fixtures, source)
  loadSyncs(store, fixtures, source)
}

/**
 * Loads the entries of one collection that belong to an organization: their key (the id, or the organization for
 * one entry an organization) unique, the organization known, then the store's own load (its rules), each problem a
 * FixtureError naming the entry.
 */
function loadEach<T extends { organization_id: string }, K extends keyof T & string = 'id' & keyof T> (
  store: Store,
  source: string,
  collection: string,
  list: T[] | undefined,
  load: (organizationId: string, item: T) => void,
  key: K = 'id' as K
): void {
  duplicateCheck(
    source,
    collection,
    (list ?? []).map((item) => String(item[key])),
    key
  )
  ;(list ?? []).forEach((item, index) => {
    const path = `${collection}[${index}]`
    const organization = store.organizations.find(item.organization_id)
    if (organization === undefined) {
      throw new FixtureError(source, `${path}.organization_id`, `no organization with id ${item.organization_id}`)
    }
    entry(source, path, () => load(organization.id, item))
  })
}

/** Models, model syncs and bulk syncs (checked as the API checks them), then their executions, and jobs. */
function loadSyncs (store: Store, fixtures: Fixtures, source: string): void {
  loadEach(store, source, 'models', fixtures.models, (organizationId, model) =>
    store.models.load(organizationId, model)
  )
  loadEach(store, source, 'model_syncs', fixtures.model_syncs, (organizationId, sync) =>
    store.modelSyncs.load(organizationId, sync)
  )
  loadEach(store, source, 'bulk_syncs', fixtures.bulk_syncs, (organizationId, sync) =>
    store.bulkSyncs.load(organizationId, sync)
  )
  duplicateCheck(
    source,
    'executions',
    (fixtures.executions ?? []).map((e) => e.id)
  )
  ;(fixtures.executions ?? []).forEach((execution, index) => {
    const path = `executions[${index}]`
    const bulk = store.bulkSyncs.find(execution.sync_id)
    const model = bulk === undefined ? store.modelSyncs.find(execution.sync_id) : undefined
    const facts =
      bulk !== undefined ? store.bulkSyncs.facts(bulk) : model !== undefined ? store.modelSyncs.facts(model) : undefined
    if (facts === undefined) {
      throw new FixtureError(source, `${path}.sync_id`, `no bulk sync or model sync with id ${execution.sync_id}`)
    }
    entry(source, path, () => store.executions.load(facts, execution))
  })
  loadEach(store, source, 'jobs', fixtures.jobs, (organizationId, job) => store.jobs.load(organizationId, job))
}

/** Webhooks (one per organization) and the event log's history. */
function loadEvents (store: Store, fixtures: Fixtures, source: string): void {
  loadEach(store, source, 'webhooks', fixtures.webhooks, (organizationId, webhook) =>
    store.webhooks.load(organizationId, webhook)
  )
  loadEach(store, source, 'events', fixtures.events, (organizationId, event) =>
    store.events.load(organizationId, event)
  )
}

/**
 * Connection types first (a connection may use one the document defines), then connections, parents before
 * their shared copies.
 */
function loadConnections (store: Store, fixtures: Fixtures, source: string): void {
  const typeIds = new Set<string>()
  ;(fixtures.connection_types ?? []).forEach((definition, index) => {
    const path = `connection_types[${index}]`
    if (typeIds.has(definition.id)) throw new FixtureError(source, `${path}.id`, `duplicate id ${definition.id}`)
    typeIds.add(definition.id)
    const problem = definitionProblem(definition)
    if (problem !== null) throw new FixtureError(source, `${path}.${problem.path}`, problem.problem)
    store.connectionTypes.define(definition)
  })

  const connections = fixtures.connections ?? []
  const index = new Map(connections.map((c, i) => [canonicalId(c.id), i]))
  connections.forEach((connection, i) => {
    const path = `connections[${i}]`
    const organization = store.organizations.find(connection.organization_id)
    if (organization === undefined) {
      throw new FixtureError(source, `${path}.organization_id`, `no organization with id ${connection.organization_id}`)
    }
    let parent: ReturnType<typeof store.connections.find>
    if (connection.parent_connection_id !== undefined) {
      const parentIndex = index.get(canonicalId(connection.parent_connection_id))
      if (parentIndex === undefined) {
        throw new FixtureError(
          source,
          `${path}.parent_connection_id`,
          `no connection with id ${connection.parent_connection_id}`
        )
      }
      if (parentIndex > i) {
        throw new FixtureError(
          source,
          `${path}.parent_connection_id`,
          `connections[${parentIndex}] must come before its shared copies`
        )
      }
      for (const field of [
        'type',
        'configuration',
        'policies',
        'healthcheck_interval',
        'status',
        'status_error',
        'catalog',
        'cached_catalog'
      ] as const) {
        if (connection[field] !== undefined) {
          throw new FixtureError(source, `${path}.${field}`, 'a shared copy follows its parent: leave this out')
        }
      }
      parent = store.connections.find(connection.parent_connection_id)
    }
    entry(source, path, () => {
      store.connections.load(organization.id, connection, parent)
      store.catalogs.load(canonicalId(connection.id), connection)
    })
  })
}
