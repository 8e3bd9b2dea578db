/** polytomic-mock as a library. */
export { createSimulator, type ListenOptions, type Simulator, type SimulatorOptions } from './simulator/simulator.js'
export { buildApp, type AppOptions } from './http/app.js'
export { SETTINGS, defaultConfig, loadConfig, type Config, type LatencyRange } from './core/config.js'
export { ApiError, Errors } from './core/errors.js'
export { SUPPORTED_VERSIONS, CURRENT_VERSION, type ApiVersion } from './core/versions.js'
export type { Fixtures } from './http/schemas/fixtures.js'
export type { FaultRule, FaultRuleInput } from './control/faults.js'
export type { JournalEntry, JournalFilter } from './control/journal.js'
export type { Tenant } from './store/tenants.js'
export type { SnapshotInfo } from './store/world.js'
export type { Caller, Organization, Role, User } from './store/index.js'
export type { ConnectionCheckInput, ConnectionCheckRule } from './control/connection-checks.js'
export type { ConnectionView, SavedConnectionView } from './store/connections/connections.js'
export {
  verifySignature,
  signBody,
  SIGNATURE_HEADER,
  type SignatureOptions,
  type SignatureAlgorithm,
  type SignatureEncoding
} from './core/signature.js'
export type {
  DeliveryAttempt,
  DeliveryFilter,
  DeliveryOutcome,
  SettleResult,
  WaitingDelivery
} from './background/dispatcher.js'
export { AdminError, CONTROL_ROUTES } from './control/controls.js'
export type {
  AnyControls,
  CatalogReplaced,
  ConnectCompleted,
  ControlName,
  Controls,
  Counts,
  ExecutionsSettled,
  Health,
  SettleDeliveriesInput
} from './control/controls.js'
export type { Notification, NotificationFilter } from './store/events/notifications.js'
export type { DeliveryFaultInput, DeliveryFaultRule } from './control/delivery-faults.js'
export type { EmitEventInput, ClockView, AdvanceInput, ExecutionView } from './control/control-plane.js'
export type { ExecutionRule, ExecutionRuleInput } from './control/execution-rules.js'
export type { EventView } from './store/events/events.js'
export type { StoredWebhook as Webhook } from './store/events/webhooks.js'
