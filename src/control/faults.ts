import { randomUUID } from 'node:crypto'
import { pathMatches } from './journal.js'
import { RuleList } from './rule-list.js'
import type { FaultBody } from '../http/schemas/admin.js'
import type { Infer } from '../http/schemas/infer.js'

/** A fault rule as given (POST /__admin/faults, sim.addFault): the type of its schema. */
export type FaultRuleInput = Infer<typeof FaultBody>

export type FaultRule = Omit<FaultRuleInput, 'method'> & {
  /** Upper case once stored. */
  method?: string
  id: string
  fired: number
  created_at: string
}

/** mulberry32: a small, fast PRNG, so that FAULT_SEED makes probabilities and latencies repeatable. */
export function seededRandom (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Fault rules, matched in the order they were added. No HTTP in here. */
export class Faults extends RuleList<FaultRule> {
  readonly random: () => number

  constructor (seed: number | null) {
    super()
    this.random = seed === null ? Math.random : seededRandom(seed)
  }

  add (input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { id: randomUUID(), ...input, fired: 0, created_at: new Date().toISOString() }
    if (rule.method !== undefined) rule.method = rule.method.toUpperCase()
    if (rule.partner_id !== undefined) rule.partner_id = rule.partner_id.toLowerCase()
    this.push(rule)
    return { ...rule }
  }

  list (): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }))
  }

  /**
   * The first rule that matches and fires (its probability drawn); counts it, and drops it once it has fired
   * `times` times.
   */
  fire (method: string, path: string, partnerId: string | null): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.method !== undefined && rule.method !== method) continue
      if (rule.path !== undefined && !pathMatches(rule.path, path)) continue
      if (rule.partner_id !== undefined && rule.partner_id !== partnerId) continue
      if (rule.probability !== undefined && this.random() >= rule.probability) continue
      this.spend(rule)
      return { ...rule }
    }
    return undefined
  }
}
