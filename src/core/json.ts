/** JSON text and values that cannot hurt whoever keeps or serializes them. No recursion anywhere here. */

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * True when JSON text nests objects and arrays deeper than `max`. A linear scan of the text, done
 * before JSON.parse, so a hostile body is refused without building it. Brackets inside strings
 * do not count; text that is not JSON at all gives an answer that does not matter (the parser
 * refuses it next).
 */
export function nestsDeeperThan (text: string, max: number): boolean {
  if (text.length <= max) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) {
      inString = true
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--
    }
  }
  return false
}

/**
 * How many values unsafeJsonProblem walks before calling a value too large (shared objects count each time
 * they appear).
 */
const MAX_VALUES = 1_000_000

/**
 * Why a value given in-process (a fault rule's body) cannot be kept and sent as JSON, or null when
 * it can: nested too deeply, circular, too large once shared objects are written out, or something
 * JSON.stringify refuses (a BigInt). An object may appear twice; only one inside itself is circular.
 */
export function unsafeJsonProblem (value: unknown, maxDepth: number): string | null {
  // Depth-first; a null marks leaving the object below it, so `ancestors` is exactly the path.
  const stack: Array<{ value: unknown; depth: number } | null> = [{ value, depth: 0 }]
  const path: object[] = []
  const ancestors = new Set<object>()
  let visited = 0
  while (stack.length > 0) {
    const item = stack.pop()
    if (item === null) {
      ancestors.delete(path.pop() as object)
      continue
    }
    if (++visited > MAX_VALUES) return `is too large to write as JSON (over ${MAX_VALUES.toLocaleString('en')} values)`
    const { value: current, depth } = item as { value: unknown; depth: number }
    if (typeof current === 'bigint') return 'cannot be written as JSON (a BigInt)'
    if (typeof current !== 'object' || current === null) continue
    if (depth >= maxDepth) return `nests deeper than ${maxDepth} levels`
    if (ancestors.has(current)) return 'cannot be written as JSON (it contains itself)'
    ancestors.add(current)
    path.push(current)
    stack.push(null)
    for (const child of Object.values(current)) stack.push({ value: child, depth: depth + 1 })
  }
  return null
}

/** Parses JSON that may have been cut short or may nest too deeply: such text comes back as the string it is. */
export function parseOrText (text: string | null, maxDepth: number): unknown {
  if (text === null || text === '') return null
  if (nestsDeeperThan(text, maxDepth)) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export interface JsonSyntaxProblem {
  line: number
  column: number
  problem: string
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d])

/**
 * Where JSON text first goes wrong, as a line and a column (both from 1), for messages a person can
 * act on; null when the text is valid JSON. V8's own message often gives no position.
 */
export function locateJsonSyntaxError (text: string): JsonSyntaxProblem | null {
  let i = 0
  const fail = (problem: string): JsonSyntaxProblem => {
    const before = text.slice(0, i)
    const line = before.split('\n').length
    return { line, column: i - before.lastIndexOf('\n'), problem }
  }
  const skipSpace = (): void => {
    while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++
  }
  const literal = (word: string): boolean => {
    if (text.startsWith(word, i)) {
      i += word.length
      return true
    }
    return false
  }
  const string = (): JsonSyntaxProblem | null => {
    i++
    while (i < text.length) {
      const c = text.charCodeAt(i)
      if (c === QUOTE) {
        i++
        return null
      }
      if (c < 0x20) return fail('a control character inside a string')
      if (c === BACKSLASH) {
        const next = text[i + 1]
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('a bad \\u escape')
          i += 6
          continue
        }
        if (next === undefined || !'"\\/bfnrt'.includes(next)) return fail('a bad escape in a string')
        i += 2
        continue
      }
      i++
    }
    return fail('a string that never ends')
  }
  const number = (): JsonSyntaxProblem | null => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (match === null) return fail(`unexpected ${describe(text[i])}`)
    i += match[0].length
    return null
  }
  /** `"name":` at i (after white space), leaving i after the colon. */
  const propertyName = (): JsonSyntaxProblem | null => {
    if (text[i] !== '"') {
      return fail(
        text[i] === undefined
          ? 'the text ends inside an object'
          : `expected a double-quoted property name, found ${describe(text[i])}`
      )
    }
    const bad = string()
    if (bad !== null) return bad
    skipSpace()
    if (text[i] !== ':') return fail(`expected ":" after a property name, found ${describe(text[i])}`)
    i++
    return null
  }
  /** One value; containers push what they expect next instead of recursing. */
  const stack: Array<'array' | 'object'> = []
  let expectValue = true
  for (;;) {
    skipSpace()
    if (expectValue) {
      const c = text[i]
      if (c === undefined) return fail('the text ends where a value should be')
      if (c === '{' || c === '[') {
        stack.push(c === '{' ? 'object' : 'array')
        i++
        skipSpace()
        const closer = c === '{' ? '}' : ']'
        if (text[i] === closer) {
          stack.pop()
          i++
          expectValue = false
        } else if (c === '{') {
          const bad = propertyName()
          if (bad !== null) return bad
        }
        continue
      }
      let bad: JsonSyntaxProblem | null = null
      if (c === '"') bad = string()
      else if (c === '-' || (c >= '0' && c <= '9')) bad = number()
      else if (!literal('true') && !literal('false') && !literal('null')) return fail(`unexpected ${describe(c)}`)
      if (bad !== null) return bad
      expectValue = false
      continue
    }
    const top = stack[stack.length - 1]
    if (top === undefined) {
      return i === text.length ? null : fail(`unexpected ${describe(text[i])} after the end of the value`)
    }
    const c = text[i]
    const closer = top === 'object' ? '}' : ']'
    if (c === closer) {
      stack.pop()
      i++
      continue
    }
    if (c !== ',') {
      return fail(
        c === undefined
          ? `the text ends inside an ${top === 'object' ? 'object' : 'array'}`
          : `expected "," or "${closer}", found ${describe(c)}`
      )
    }
    i++
    skipSpace()
    if (top === 'object') {
      const bad = propertyName()
      if (bad !== null) return bad
    }
    expectValue = true
  }
}

function describe (c: string | undefined): string {
  return c === undefined ? 'the end of the text' : JSON.stringify(c)
}
