/** Schemas of connection types, connections, Connect and sharing (partner-surface reference 2 and 3). */
import { LIMITS } from '../../core/limits.js'
import { envelopeSchema, Text } from './common.js'
import type { Infer } from './infer.js'

/** A connection type's id: what requests name it by. */
export const TYPE_ID_PATTERN = '^[a-z][a-z0-9_]{0,63}$'
/** A configuration field's name (not starting with "__": the Connect form keeps those for itself). */
export const FIELD_NAME_PATTERN = '^(?!__)[A-Za-z_][A-Za-z0-9_]{0,63}$'

const Scalar = { type: ['string', 'number', 'integer', 'boolean'] } as const

/** One configuration field of a connection type: a scalar, described for the API and the Connect form. */
const ConnectionTypeField = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['string', 'integer', 'number', 'boolean'] },
    title: Text(255),
    description: Text(2048),
    enum: { type: 'array', minItems: 1, maxItems: 500, items: Scalar },
    default: Scalar,
    /** A secret: stored, never returned (masked), kept by an update that leaves it out. */
    writeOnly: { type: 'boolean' },
    minimum: { type: 'number' },
    maximum: { type: 'number' },
    minLength: { type: 'integer', minimum: 0 },
    maxLength: { type: 'integer', minimum: 0 }
  }
} as const

/**
 * A connection type as the catalog (fixtures/connection-types.json) and a fixture document's
 * connection_types give it: its description and the JSON Schema of its configuration.
 */
export const ConnectionTypeDefinition = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'configuration'],
  properties: {
    id: { type: 'string', pattern: TYPE_ID_PATTERN },
    name: { type: 'string', minLength: 1, maxLength: LIMITS.name },
    logo_url: Text(2048),
    capabilities: {
      type: 'object',
      additionalProperties: false,
      properties: {
        source: { type: 'boolean' },
        destination: { type: 'boolean' },
        enrichment: { type: 'boolean' },
        orchestration: { type: 'boolean' }
      }
    },
    operations: { type: 'array', maxItems: 100, items: Text(100) },
    use_oauth: { type: 'boolean' },
    configuration: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'properties'],
      properties: {
        type: { const: 'object' },
        required: { type: 'array', maxItems: 200, items: { type: 'string' } },
        properties: {
          type: 'object',
          maxProperties: 200,
          propertyNames: { pattern: FIELD_NAME_PATTERN },
          additionalProperties: ConnectionTypeField
        }
      }
    }
  }
} as const

export type ConnectionTypeDefinitionInput = Infer<typeof ConnectionTypeDefinition>

export const ConnectionTypeCatalogFile = {
  type: 'object',
  additionalProperties: false,
  required: ['connection_types'],
  properties: { $comment: { type: 'string' }, connection_types: { type: 'array', items: ConnectionTypeDefinition } }
} as const

// Requests

const Configuration = { type: 'object', maxProperties: 200 } as const
const Policies = { type: 'array', maxItems: 100, items: Text(LIMITS.id) } as const
const TypeId = Text(64)

/** What create and update both take (the SDK's two request schemas differ only as noted). */
const connectionFields = {
  name: Text(LIMITS.name),
  type: TypeId,
  configuration: Configuration,
  organization_id: Text(LIMITS.id),
  policies: Policies,
  validate: { type: 'boolean' },
  healthcheck_interval: Text(64)
} as const

export const CreateConnectionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'type', 'configuration'],
  properties: { ...connectionFields, redirect_url: Text(LIMITS.url) }
} as const
export type CreateConnectionInput = Infer<typeof CreateConnectionBody>

/** Update: type optional, reconnect instead of redirect_url. */
export const UpdateConnectionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'configuration'],
  properties: { ...connectionFields, reconnect: { type: 'boolean' } }
} as const
export type UpdateConnectionInput = Infer<typeof UpdateConnectionBody>

export const TestConnectionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'configuration'],
  properties: {
    type: TypeId,
    configuration: Configuration,
    connection_id: Text(LIMITS.id),
    organization_id: Text(LIMITS.id)
  }
} as const
export type TestConnectionInput = Infer<typeof TestConnectionBody>

/** The guide spells it redirectURL, the SDK redirect_url: either is taken (reference 3.6). */
export const ConnectBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  anyOf: [{ required: ['redirect_url'] }, { required: ['redirectURL'] }],
  properties: {
    name: Text(LIMITS.name),
    redirect_url: Text(LIMITS.url),
    redirectURL: Text(LIMITS.url),
    organization_id: { type: ['string', 'null'], maxLength: LIMITS.id },
    type: TypeId,
    whitelist: { type: ['array', 'null'], maxItems: 200, items: TypeId },
    dark: { type: 'boolean' },
    connection: Text(LIMITS.id)
  }
} as const
export type ConnectInput = Infer<typeof ConnectBody>

export const ShareBody = {
  type: 'object',
  additionalProperties: false,
  required: ['child_organization_id'],
  properties: { child_organization_id: Text(LIMITS.id), name: Text(LIMITS.name) }
} as const
export type ShareInput = Infer<typeof ShareBody>

export const ParameterValuesBody = {
  type: 'object',
  additionalProperties: false,
  required: ['field'],
  properties: { field: Text(64), parameters: Configuration, connection_id: Text(LIMITS.id), query: Text(LIMITS.name) }
} as const
export type ParameterValuesInput = Infer<typeof ParameterValuesBody>

export const ConnectionListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { organization_id: Text(LIMITS.id) }
} as const

export const DeleteConnectionQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { force: { type: 'string', enum: ['true', 'false'] }, organization_id: Text(LIMITS.id) }
} as const

export const TypeParams = { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } as const
export const ParentParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const
export const OrganizationConnectionParams = {
  type: 'object',
  required: ['org_id', 'connection_id'],
  properties: { org_id: { type: 'string' }, connection_id: { type: 'string' } }
} as const

// Responses

const Capabilities = {
  type: 'object',
  required: ['source', 'destination', 'enrichment', 'orchestration'],
  properties: {
    source: { type: 'boolean' },
    destination: { type: 'boolean' },
    enrichment: { type: 'boolean' },
    orchestration: { type: 'boolean' }
  }
} as const

/** GET /api/connection_types: mixed casing, as in the SDK's ConnectionType. */
export const ConnectionType = {
  $id: 'ConnectionType',
  type: 'object',
  required: ['id', 'name', 'capabilities', 'configurationForm', 'use_oauth'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    logo_url: { type: 'string' },
    capabilities: Capabilities,
    configurationForm: { type: 'object', properties: { jsonschema: { type: 'object', additionalProperties: true } } },
    initialConfiguration: { type: 'object', additionalProperties: true },
    use_oauth: { type: 'boolean' }
  }
} as const

/** The `type` object inside a connection (a string in requests). */
const ConnectionTypeRef = {
  type: 'object',
  required: ['id', 'name', 'operations'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    logo_url: { type: 'string' },
    operations: { type: 'array', items: { type: 'string' } }
  }
} as const

const Actor = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, type: { type: 'string' } }
} as const

const connectionCore = {
  id: { type: 'string' },
  name: { type: 'string' },
  organization_id: { type: 'string' },
  type: ConnectionTypeRef,
  configuration: { type: 'object', additionalProperties: true },
  status: { type: 'string' },
  status_error: { type: 'string' },
  saved: { type: 'boolean' },
  policies: { type: 'array', items: { type: 'string' } }
} as const

/** ConnectionResponseSchema: list, get and the shared copies. */
export const Connection = {
  $id: 'Connection',
  type: 'object',
  required: [
    'id',
    'name',
    'organization_id',
    'type',
    'configuration',
    'status',
    'saved',
    'policies',
    'created_at',
    'updated_at'
  ],
  properties: {
    ...connectionCore,
    created_at: { type: 'string' },
    created_by: Actor,
    updated_at: { type: 'string' },
    updated_by: Actor,
    parent_connection_id: { type: 'string' }
  }
} as const

/** CreateConnectionResponseSchema: create and update. */
export const SavedConnection = {
  $id: 'SavedConnection',
  type: 'object',
  required: ['id', 'name', 'organization_id', 'type', 'configuration', 'status', 'saved', 'policies'],
  properties: {
    ...connectionCore,
    healthcheck_interval: { type: 'string' },
    auth_url: { type: 'string' },
    auth_code: { type: 'string' }
  }
} as const

const ParameterValues = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: {
      allows_creation: { type: 'boolean' },
      values: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' }, value: {} } } }
    }
  }
} as const

export const ConnectionTypeListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'ConnectionType#' } })
/** A bare JSON Schema, not enveloped (reference 2.2). */
export const ConnectionTypeSchemaResponse = {
  type: 'object',
  required: ['$schema', 'type', 'properties'],
  additionalProperties: true,
  properties: {
    $schema: { type: 'string' },
    type: { type: 'string' },
    properties: { type: 'object', additionalProperties: true }
  }
} as const
export const ConnectionEnvelope = envelopeSchema({ $ref: 'Connection#' })
export const ConnectionListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'Connection#' } })
export const SavedConnectionEnvelope = envelopeSchema({ $ref: 'SavedConnection#' })
export const ParameterValuesEnvelope = envelopeSchema(ParameterValues)
export const ConnectEnvelope = envelopeSchema({
  type: 'object',
  required: ['redirect_url', 'token'],
  properties: { redirect_url: { type: 'string' }, token: { type: 'string' } }
})
export const SharedIdEnvelope = envelopeSchema({
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } }
})

const StringMap = { type: 'object', additionalProperties: { type: 'string' } } as const

/** ExecuteConnectionProxyRequest: { request: ConnectionProxyCall } (camelCase, as 2025-09-18 has it). */
export const ProxyBody = {
  type: 'object',
  required: ['request'],
  properties: {
    request: {
      type: 'object',
      required: ['method', 'path'],
      properties: {
        method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
        path: { type: 'string', minLength: 1, maxLength: LIMITS.url },
        headers: { type: 'object', maxProperties: 100, additionalProperties: { type: 'string', maxLength: 8192 } },
        query: { type: 'object', maxProperties: 100 },
        rawQuery: { type: 'string', maxLength: LIMITS.url },
        body: {}
      }
    }
  }
} as const

/** ConnectionProxyResponse. */
export const ProxyEnvelope = envelopeSchema({
  type: 'object',
  required: ['status', 'headers', 'body', 'contentType', 'latencyMs', 'proxyCallId', 'truncated'],
  properties: {
    status: { type: 'integer' },
    headers: StringMap,
    body: { type: 'string' },
    contentType: { type: 'string' },
    latencyMs: { type: 'integer' },
    proxyCallId: { type: 'string' },
    truncated: { type: 'boolean' }
  }
})

const Strings = { type: 'array', items: { type: 'string' } } as const

/** ConnectionProxyInfoResponse. */
export const ProxyInfoEnvelope = envelopeSchema({
  type: 'object',
  required: ['connectionId', 'backendType', 'inheritedBase', 'mergeRules', 'requestContract', 'stats'],
  properties: {
    connectionId: { type: 'string' },
    backendType: { type: 'string' },
    inheritedBase: {
      type: 'object',
      properties: {
        baseUrl: { type: 'string' },
        lockedHeaders: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, value: { type: 'string' }, redacted: { type: 'boolean' } }
          }
        },
        lockedQuery: { type: 'object', additionalProperties: true }
      }
    },
    mergeRules: { type: 'object', properties: { headers: { type: 'string' }, query: { type: 'string' } } },
    requestContract: {
      type: 'object',
      properties: {
        allowedMethods: Strings,
        blockedRequestHeaders: Strings,
        blockedResponseHeaders: Strings,
        bodyTypes: Strings,
        maxRequestBodyBytes: { type: 'integer' },
        maxResponseBodyBytes: { type: 'integer' },
        pathRule: { type: 'string' },
        queryModes: Strings,
        queryValueTypes: Strings,
        rateLimitPerMinute: { type: 'integer' },
        rawQueryRule: { type: 'string' },
        timeoutMs: { type: 'integer' }
      }
    },
    stats: {
      type: 'object',
      properties: {
        callsLast24h: { type: 'integer' },
        lastProxyCallAt: { type: 'string' },
        proxyCallsLast24h: { type: 'integer' },
        proxy2xxLast24h: { type: 'integer' },
        proxy4xxLast24h: { type: 'integer' },
        proxy5xxLast24h: { type: 'integer' }
      }
    }
  }
})
