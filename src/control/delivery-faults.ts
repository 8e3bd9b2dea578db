import { randomUUID } from 'node:crypto'
import { RuleList } from './rule-list.js'
import type { DeliveryFaultBody } from '../http/schemas/admin.js'
import type { Infer } from '../http/schemas/infer.js'

/** A delivery fault rule as given (POST /__admin/delivery-faults, sim.addDeliveryFault): the type of its schema. */
export type DeliveryFaultInput = Infer<typeof DeliveryFaultBody>

export type DeliveryFaultRule = DeliveryFaultInput & {
  id: string
  /** How many deliveries this rule has changed so far. */
  fired: number
  created_at: string
}

/**
 * What happens to webhook deliveries as they are queued, for testing idempotent and out-of-order
 * handling: drop one, send it twice, hold it back for a while, or let the next one overtake it.
 * Rules match by organization and event type, in the order they were added, `times` times (or
 * while they stand) and with a `probability` drawn from the seeded source (FAULT_SEED). No HTTP here.
 */
export class DeliveryFaults extends RuleList<DeliveryFaultRule> {
  constructor (private readonly random: () => number) {
    super()
  }

  add (input: DeliveryFaultInput): DeliveryFaultRule {
    const rule: DeliveryFaultRule = { id: randomUUID(), ...input, fired: 0, created_at: new Date().toISOString() }
    if (rule.organization_id !== undefined) rule.organization_id = rule.organization_id.toLowerCase()
    this.push(rule)
    return { ...rule }
  }

  list (): DeliveryFaultRule[] {
    return this.rules.map((rule) => ({ ...rule }))
  }

  /**
   * The first rule that matches a delivery of this event and fires; counts it, and drops it once it has fired
   * `times` times.
   */
  fire (organizationId: string, eventType: string): DeliveryFaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.organization_id !== undefined && rule.organization_id !== organizationId) continue
      if (rule.event_type !== undefined && rule.event_type !== eventType) continue
      if (rule.probability !== undefined && this.random() >= rule.probability) continue
      this.spend(rule)
      return { ...rule }
    }
    return undefined
  }
}
