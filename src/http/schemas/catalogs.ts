/**
 * What is inside a connection (its catalog: schemas, fields, primary keys, rows), as a fixture, the control
 * route and the bundled data file give it, and the schemas.*, queryRunner.*, source and target operations
 * that read it (partner-surface reference: the SDK's Schema, SchemaField, V4RunQueryResult, TargetObject...).
 */
import { LIMITS } from '../../core/limits.js'
import { envelopeSchema, Text, Id } from './common.js'
import type { Infer } from './infer.js'
import { Model, ModelFieldShape } from './syncs.js'

/** UtilFieldType: the kinds of field a schema reports. */
export const FIELD_TYPES = ['unknown', 'string', 'number', 'boolean', 'datetime', 'array', 'object', 'binary'] as const

const Str = { type: 'string' } as const
const Bool = { type: 'boolean' } as const
const FieldId = Text(LIMITS.name)
const Row = { type: 'object', additionalProperties: true } as const
const PickValue = { type: 'object', properties: { label: Str, value: Str } } as const
const Association = {
  type: 'object',
  properties: { id: Str, name: Str, reference_to: { type: 'array', items: Str }, referenced_field: Str }
} as const

/** One field of a catalog schema: its id, name (the id when left out), type and the source's own type. */
const CatalogFieldShape = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type'],
  properties: {
    id: { ...FieldId, minLength: 1 },
    name: FieldId,
    type: { type: 'string', enum: FIELD_TYPES },
    remote_type: Text(64),
    association: Association,
    values: { type: 'array', maxItems: 1000, items: PickValue }
  }
} as const

/** One schema (table, object, file or endpoint) of a catalog, with its rows. */
const CatalogSchemaShape = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'fields'],
  properties: {
    id: { ...Text(LIMITS.name), minLength: 1 },
    name: Text(LIMITS.name),
    fields: { type: 'array', maxItems: 1000, items: CatalogFieldShape },
    primary_keys: { type: 'array', maxItems: 100, items: FieldId },
    rows: { type: 'array', items: Row }
  }
} as const

/** A connection's catalog, as a fixture, the control route and the data file give it. */
export const CatalogShape = {
  type: 'object',
  additionalProperties: false,
  required: ['schemas'],
  properties: { schemas: { type: 'array', maxItems: 1000, items: CatalogSchemaShape } }
} as const

const { rows: _rows, ...StructureProperties } = CatalogSchemaShape.properties
/** A catalog's schemas without rows: what the API last saw of the source (a fixture's cached_catalog). */
export const CatalogStructureShape = {
  ...CatalogShape,
  properties: {
    schemas: { ...CatalogShape.properties.schemas, items: { ...CatalogSchemaShape, properties: StructureProperties } }
  }
} as const

/** A field a user added to a schema (V4UserFieldRequest). */
const UserFieldShape = {
  type: 'object',
  required: ['field_id', 'label', 'type'],
  properties: {
    field_id: { ...FieldId, minLength: 1 },
    label: Text(LIMITS.name),
    type: { type: 'string', enum: FIELD_TYPES },
    path: Text(LIMITS.name),
    example: {}
  }
} as const

/** What a connection's schemas carry besides the source: user fields and primary-key overrides, by schema id. */
export const SchemaOverridesShape = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      user_fields: { type: 'array', maxItems: 1000, items: UserFieldShape },
      primary_keys: { type: 'array', maxItems: 100, items: FieldId }
    }
  }
} as const

/** The bundled data file (fixtures/connection-catalogs.json): catalogs by name, and which type uses which. */
export const CatalogFileShape = {
  type: 'object',
  required: ['types', 'catalogs'],
  properties: {
    $comment: Str,
    types: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['catalog'],
        properties: { catalog: Str, namespace: Text(LIMITS.name), upper_case: Bool }
      }
    },
    catalogs: { type: 'object', additionalProperties: CatalogShape }
  }
} as const

export type CatalogInput = Infer<typeof CatalogShape>
export type CatalogStructureInput = Infer<typeof CatalogStructureShape>
export type SchemaOverridesInput = Infer<typeof SchemaOverridesShape>
export type UserFieldInput = Infer<typeof UserFieldShape>
export type CatalogFileInput = Infer<typeof CatalogFileShape>

// Requests

export const ConnectionSchemaParams = {
  type: 'object',
  required: ['id', 'schema_id'],
  properties: { id: Str, schema_id: Text(LIMITS.name) }
} as const
export const ConnectionFieldParams = {
  type: 'object',
  required: ['id', 'schema_id', 'field_id'],
  properties: { id: Str, schema_id: Text(LIMITS.name), field_id: Text(LIMITS.name) }
} as const
/** upsertField's body; the SDK sends none when called without one. */
export const UpsertFieldsBody = {
  type: ['object', 'null'],
  properties: { fields: { type: 'array', maxItems: 1000, items: UserFieldShape } }
} as const
/** setPrimaryKeys's body; the SDK sends none when called without one. */
export const PrimaryKeysBody = {
  type: ['object', 'null'],
  properties: {
    fields: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['field_id', 'is_primary_key'],
        properties: { field_id: { ...FieldId, minLength: 1 }, is_primary_key: Bool }
      }
    }
  }
} as const
export const RecordsQuery = {
  type: 'object',
  properties: { limit: { type: 'string', pattern: '^[0-9]{1,6}$' }, page_token: Text(1024) }
} as const
const Flag = { type: 'string', enum: ['true', 'false'] } as const
export const SourceQuery = { type: 'object', properties: { include_fields: Flag } } as const
/** modelSync.getSource/getSourceFields and models.getEnrichmentSource: params, a map sent as one JSON string. */
export const ParamsQuery = { type: 'object', properties: { params: Text(LIMITS.configurationValue) } } as const
const Named = Text(LIMITS.name)
export const TargetQuery = { type: 'object', properties: { type: Named, search: Named } } as const
export const TargetFieldsQuery = {
  type: 'object',
  required: ['target'],
  properties: { target: Named, refresh: Flag }
} as const
export const PropertyParams = {
  type: 'object',
  required: ['id', 'property'],
  properties: { id: Str, property: Text(LIMITS.name) }
} as const
export const RunQueryQuery = { type: 'object', properties: { query: Text(LIMITS.configurationValue) } } as const
export const RunQueryBody = {
  type: ['object', 'null'],
  properties: { query: Text(LIMITS.configurationValue) }
} as const
export const QueryResultQuery = { type: 'object', properties: { page: Text(1024) } } as const
export const EnrichmentInputBody = {
  type: ['object', 'null'],
  properties: { configuration: { type: 'object' } }
} as const

export type UpsertFieldsInput = Infer<typeof UpsertFieldsBody>
export type PrimaryKeysInput = Infer<typeof PrimaryKeysBody>

// Responses

const SchemaField = {
  type: 'object',
  properties: {
    id: Str,
    name: Str,
    type: Str,
    remote_type: Str,
    is_primary_key: Bool,
    association: Association,
    values: { type: 'array', items: PickValue },
    type_spec: {}
  }
} as const
const Schema = {
  type: 'object',
  properties: { id: Str, name: Str, fields: { type: 'array', items: SchemaField } }
} as const
export const SchemaEnvelope = envelopeSchema(Schema)
export const SourceStatusEnvelope = envelopeSchema({
  type: 'object',
  properties: { cache_status: Str, last_refresh_started: Str, last_refresh_finished: Str }
})
export const RecordsEnvelope = {
  ...envelopeSchema({ type: 'array', items: Row }),
  properties: {
    ...envelopeSchema({ type: 'array', items: Row }).properties,
    pagination: { type: 'object', properties: { next_page_token: Str } }
  }
} as const
export const BulkSourceEnvelope = envelopeSchema({
  type: 'object',
  properties: {
    capabilities: { type: 'object', properties: { supports_tracking_fields: Bool } },
    configuration: {},
    schemas: { type: 'array', items: Schema }
  }
})
export const BulkDestinationEnvelope = envelopeSchema({
  type: 'object',
  properties: {
    configuration: { type: 'object', additionalProperties: true },
    modes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: Str,
          label: Str,
          description: Str,
          requires_identity: Bool,
          supports_field_sync_mode: Bool,
          supports_target_filters: Bool
        }
      }
    },
    supported_resync_modes: { type: 'array', items: Str }
  }
})
const MetaItem = {
  type: 'object',
  properties: { has_items: Bool, items: { type: 'array' }, requires_one_of: { type: 'array', items: Str } }
} as const
export const SourceMetaEnvelope = envelopeSchema({
  type: 'object',
  properties: {
    configuration: {
      type: 'object',
      additionalProperties: { type: 'object', properties: { type: Str, items: { type: 'array' } } }
    },
    items: { type: 'object', additionalProperties: MetaItem },
    requires_one_of: { type: 'array', items: Str }
  }
})
export const ModelFieldListEnvelope = envelopeSchema({ type: 'array', items: ModelFieldShape })
const TargetField = {
  type: 'object',
  properties: {
    id: Str,
    name: Str,
    type: Str,
    source_type: Str,
    description: Str,
    required: Bool,
    createable: Bool,
    updateable: Bool,
    filterable: Bool,
    encryptable: Bool,
    association: Bool,
    supports_identity: Bool,
    identity_functions: { type: 'array', items: { type: 'object', properties: { id: Str, label: Str } } }
  }
} as const
const ModeShape = {
  type: 'object',
  properties: {
    mode: Str,
    label: Str,
    description: Str,
    requires_identity: Bool,
    supports_field_sync_mode: Bool,
    supports_target_filters: Bool
  }
} as const
export const TargetEnvelope = envelopeSchema({
  type: 'object',
  properties: {
    id: Str,
    name: Str,
    fields: { type: 'array', items: TargetField },
    modes: { type: 'array', items: ModeShape },
    properties: { type: 'object', additionalProperties: Bool },
    refreshed_at: Str
  }
})
const SupportedMode = {
  type: 'object',
  properties: { id: Str, requires_identity: Bool, supports_per_field_mode: Bool, supports_target_filters: Bool }
} as const
export const TargetObjectsEnvelope = {
  type: 'object',
  properties: {
    data: {
      type: 'array',
      items: { type: 'object', properties: { id: Str, name: Str, modes: { type: 'array', items: SupportedMode } } }
    },
    target_creation: {
      type: 'object',
      properties: {
        supported: Bool,
        properties: {
          type: 'array',
          items: { type: 'object', properties: { id: Str, title: Str, enum: Bool } }
        }
      }
    }
  }
} as const
export const TargetPropertyEnvelope = envelopeSchema({
  type: 'object',
  properties: { id: Str, title: Str, enum: Bool, values: { type: 'array', items: PickValue } }
})
export const EnrichmentInputEnvelope = envelopeSchema({ type: 'array', items: { type: 'array', items: Str } })
const QueryResult = {
  type: 'object',
  properties: {
    id: Str,
    status: { type: 'string', enum: ['created', 'running', 'done', 'failed'] },
    error: Str,
    expires: Str,
    count: { type: 'integer' },
    fields: { type: 'array', items: Str },
    results: { type: 'array', items: Row }
  }
} as const
export const RunQueryEnvelope = envelopeSchema(QueryResult)
export const QueryResultEnvelope = {
  type: 'object',
  properties: {
    ...envelopeSchema(QueryResult).properties,
    links: { type: 'object', properties: { next: Str, previous: Str } }
  }
} as const
export const ModelSampleEnvelope = {
  type: 'object',
  properties: {
    ...envelopeSchema({
      type: 'object',
      properties: {
        records: { type: 'array', items: Row },
        warnings: { type: 'array', items: Str }
      }
    }).properties,
    job: { $ref: 'Job#' }
  }
} as const
export const CatalogIdQuery = { type: 'object', properties: { organization_id: Id } } as const

const { $id: _modelId, required: _modelRequired, ...ModelShape } = Model
/** models.preview: the model as it would be saved (no id yet), with the first rows it reads. */
export const ModelPreviewEnvelope = {
  type: 'object',
  properties: {
    ...envelopeSchema({
      ...ModelShape,
      properties: { ...ModelShape.properties, records: { type: 'array', items: Row } }
    }).properties,
    job: { $ref: 'Job#' }
  }
} as const
