// The official SDK 1.18.1's types, read from its declaration files with the TypeScript compiler API, as a checker
// of what the simulator answers: every object field must be one the SDK's type declares (no unknown field), every
// value of the declared kind, every required field present. And the type each SDK method resolves to, read from
// its resource's Client.d.ts, so that a test names the method and the checker finds the type.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import ts from 'typescript'

const SDK_ROOT = dirname(createRequire(import.meta.url).resolve('polytomic/package.json'))
const TYPES_DIR = join(SDK_ROOT, 'api', 'types')
const RESOURCES_DIR = join(SDK_ROOT, 'api', 'resources')

type Declaration = ts.InterfaceDeclaration | ts.TypeAliasDeclaration

let declarations: Map<string, Declaration> | undefined

/** Every interface and type alias of api/types, by name. */
function typeDeclarations (): Map<string, Declaration> {
  if (declarations !== undefined) return declarations
  declarations = new Map()
  for (const file of readdirSync(TYPES_DIR).filter((f) => f.endsWith('.d.ts'))) {
    const source = ts.createSourceFile(file, readFileSync(join(TYPES_DIR, file), 'utf8'), ts.ScriptTarget.Latest, true)
    for (const statement of source.statements) {
      if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
        declarations.set(statement.name.text, statement)
      }
    }
  }
  return declarations
}

/** The name a type reference names: `Polytomic.X` and `X` are both X. */
function referenceName (node: ts.TypeReferenceNode): string {
  return ts.isQualifiedName(node.typeName) ? node.typeName.right.text : node.typeName.text
}

/** The problems of a value against a type node, each as "<path>: <what>". */
function check (node: ts.TypeNode, value: unknown, path: string): string[] {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return typeof value === 'string' ? [] : [`${path}: ${JSON.stringify(value)} is not a string`]
    case ts.SyntaxKind.NumberKeyword:
      return typeof value === 'number' ? [] : [`${path}: ${JSON.stringify(value)} is not a number`]
    case ts.SyntaxKind.BooleanKeyword:
      return typeof value === 'boolean' ? [] : [`${path}: ${JSON.stringify(value)} is not a boolean`]
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.AnyKeyword:
      return []
  }
  if (ts.isParenthesizedTypeNode(node)) return check(node.type, value, path)
  if (ts.isArrayTypeNode(node)) {
    if (!Array.isArray(value)) return [`${path}: ${JSON.stringify(value)} is not an array`]
    return value.flatMap((item, index) => check(node.elementType, item, `${path}[${index}]`))
  }
  if (ts.isLiteralTypeNode(node)) {
    const literal = node.literal
    if (literal.kind === ts.SyntaxKind.NullKeyword) return value === null ? [] : [`${path}: is not null`]
    if (ts.isStringLiteral(literal)) return value === literal.text ? [] : [`${path}: ${JSON.stringify(value)} is not "${literal.text}"`]
    return []
  }
  if (ts.isUnionTypeNode(node)) {
    const each = node.types.map((member) => check(member, value, path))
    return each.some((problems) => problems.length === 0) ? [] : [`${path}: ${JSON.stringify(value)} is none of ${node.getText()}`]
  }
  if (ts.isTypeLiteralNode(node)) return checkMembers(node.members, value, path)
  if (ts.isTypeReferenceNode(node)) {
    const name = referenceName(node)
    if (name === 'Record') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: is not an object`]
      const valueType = node.typeArguments?.[1]
      if (valueType === undefined) return []
      return Object.entries(value).flatMap(([key, item]) => check(valueType, item, `${path}.${key}`))
    }
    if (name === 'Date') return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? [] : [`${path}: not a date`]
    return checkNamed(name, value, path)
  }
  return [`${path}: the checker does not read the type ${node.getText()}`]
}

/** The members of an interface or type literal: known fields only, required ones present, each of its type. */
function checkMembers (members: ts.NodeArray<ts.TypeElement>, value: unknown, path: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${path}: ${JSON.stringify(value)} is not an object`]
  }
  const problems: string[] = []
  const declared = new Map<string, ts.PropertySignature>()
  for (const member of members) {
    if (ts.isPropertySignature(member)) {
      const name = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText()
      declared.set(name, member)
    }
  }
  for (const [key, item] of Object.entries(value)) {
    const member = declared.get(key)
    if (member === undefined) {
      problems.push(`${path}.${key}: unknown field (the SDK's type has ${[...declared.keys()].join(', ')})`)
    } else if (member.type !== undefined && !(item === null && member.questionToken !== undefined)) {
      problems.push(...check(member.type, item, `${path}.${key}`))
    }
  }
  for (const [name, member] of declared) {
    if (member.questionToken === undefined && !(name in value)) problems.push(`${path}.${name}: required, missing`)
  }
  return problems
}

/** The problems of a value against a type of api/types by name; [] when it conforms. */
export function checkNamed (name: string, value: unknown, path = '$'): string[] {
  const declaration = typeDeclarations().get(name)
  if (declaration === undefined) return [`${path}: the SDK has no type ${name}`]
  if (ts.isInterfaceDeclaration(declaration)) return checkMembers(declaration.members, value, path)
  return check(declaration.type, value, path)
}

let returnTypes: Map<string, string | null> | undefined

/**
 * What each SDK method resolves to ("modelSync.executions.getLogUrls" → "ExecutionLogsResponseEnvelope"), read from
 * the resources' Client.d.ts: null for Promise<void>.
 */
export function sdkReturnTypes (): Map<string, string | null> {
  if (returnTypes !== undefined) return returnTypes
  returnTypes = new Map()
  const walk = (dir: string, prefix: string[]): void => {
    const client = join(dir, 'client', 'Client.d.ts')
    try {
      statSync(client)
      const source = ts.createSourceFile(client, readFileSync(client, 'utf8'), ts.ScriptTarget.Latest, true)
      for (const statement of source.statements) {
        if (!ts.isClassDeclaration(statement)) continue
        for (const member of statement.members) {
          if (!ts.isMethodDeclaration(member) || member.type === undefined || !ts.isIdentifier(member.name)) continue
          if (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.ProtectedKeyword) === true) continue
          const promise = member.type
          if (!ts.isTypeReferenceNode(promise) || promise.typeArguments?.[0] === undefined) continue
          const resolved = promise.typeArguments[0]
          const type = ts.isTypeReferenceNode(resolved) ? referenceName(resolved) : null
          returnTypes?.set([...prefix, member.name.text].join('.'), type)
        }
      }
    } catch {}
    const nested = join(dir, 'resources')
    let children: string[] = []
    try {
      children = readdirSync(nested)
    } catch {}
    for (const child of children) {
      if (statSync(join(nested, child)).isDirectory()) walk(join(nested, child), [...prefix, child])
    }
  }
  for (const resource of readdirSync(RESOURCES_DIR)) {
    if (statSync(join(RESOURCES_DIR, resource)).isDirectory()) walk(join(RESOURCES_DIR, resource), [resource])
  }
  return returnTypes
}
