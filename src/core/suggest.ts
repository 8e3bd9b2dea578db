/** Edit distance (insertions, deletions, substitutions, and swaps of two neighbours). */
export function distance (a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(
        ((d[i - 1] as number[])[j] as number) + 1,
        ((d[i] as number[])[j - 1] as number) + 1,
        ((d[i - 1] as number[])[j - 1] as number) + cost
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1)
      }
      ;(d[i] as number[])[j] = best
    }
  }
  return (d[a.length] as number[])[b.length] as number
}

/** How many edits still read as a slip of a name this long: one for a short name, up to three for a long one. */
export function editsAllowed (length: number): number {
  return length <= 4 ? 1 : length <= 8 ? 2 : 3
}

/**
 * The known name an unknown one was most likely meant to be, or nothing when none is close. A
 * known name that the unknown one begins ("host" for "hostname") comes first, then one it is part
 * of (the shortest, which leaves the least to add); then the nearest by edit distance, within
 * editsAllowed ("emial" for "email"). Case is ignored.
 */
export function closestName (unknown: string, known: Iterable<string>): string | undefined {
  const target = unknown.toLowerCase()
  const names = [...known]
  if (target.length >= 3) {
    for (const holds of [(name: string) => name.startsWith(target), (name: string) => name.includes(target)]) {
      let best: string | undefined
      for (const name of names) {
        const lower = name.toLowerCase()
        if (lower !== target && holds(lower) && (best === undefined || name.length < best.length)) best = name
      }
      if (best !== undefined) return best
    }
  }
  let best: string | undefined
  let bestDistance = editsAllowed(target.length) + 1
  for (const name of names) {
    const d = distance(target, name.toLowerCase())
    if (d < bestDistance) {
      best = name
      bestDistance = d
    }
  }
  return best
}

/** " (did you mean email?)", or nothing. */
export function didYouMean (unknown: string, known: Iterable<string>): string {
  const name = closestName(unknown, known)
  return name === undefined ? '' : ` (did you mean ${name}?)`
}

/**
 * What to say of a field nobody knows: the name it was likely meant to be, else the names there
 * are when they are few enough to read.
 */
export function unknownFieldProblem (unknown: string, known: readonly string[]): string {
  const name = closestName(unknown, known)
  if (name !== undefined) return `unknown field (did you mean ${name}?)`
  return known.length > 0 && known.length <= 12 ? `unknown field (known fields: ${known.join(', ')})` : 'unknown field'
}
