/**
 * Rules a test adds and removes by id, matched in the order they were added: fault rules
 * (src/faults.ts) and connection-check rules (src/connection-checks.ts).
 */
export class RuleList<R extends { id: string }> {
  protected rules: R[] = []

  /** True while any rule stands. */
  get active (): boolean {
    return this.rules.length > 0
  }

  remove (id: string): boolean {
    const before = this.rules.length
    this.rules = this.rules.filter((rule) => rule.id !== id)
    return this.rules.length < before
  }

  clear (): number {
    const cleared = this.rules.length
    this.rules = []
    return cleared
  }
}
