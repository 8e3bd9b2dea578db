/**
 * The TypeScript type a JSON Schema describes, for the subset of JSON Schema this project writes
 * (type, or a list of types; properties and required; items; enum; additionalProperties as a
 * schema). With it a shape is written once, as the schema that validates it and documents it, and
 * the types of bodies and rows follow from it.
 */

type Simplify<T> = { [K in keyof T]: T[K] } & {}

type RequiredKeys<S> = S extends { required: readonly (infer R)[] } ? R : never

type ObjectOf<P, R> = Simplify<
  { -readonly [K in keyof P as K extends R ? K : never]: Infer<P[K]> } & {
    -readonly [K in keyof P as K extends R ? never : K]?: Infer<P[K]>
  }
>

type OneType<T, S> = T extends 'string'
  ? string
  : T extends 'integer' | 'number'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? S extends { items: infer I }
            ? Array<Infer<I>>
            : unknown[]
          : T extends 'object'
            ? S extends { properties: infer P }
              ? ObjectOf<P, RequiredKeys<S>>
              : S extends { additionalProperties: infer A extends object }
                ? Record<string, Infer<A>>
                : Record<string, unknown>
            : unknown

export type Infer<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { type: readonly (infer T)[] }
    ? OneType<T, S>
    : S extends { type: infer T }
      ? OneType<T, S>
      : unknown
