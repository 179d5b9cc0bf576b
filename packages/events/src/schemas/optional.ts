/** An Avro field that older writers do not have: nullable, defaulting to null. */
export function optional(name: string, type: string, doc: string): OptionalField {
  return { name, type: ['null', type], default: null, doc };
}

export interface OptionalField {
  name: string;
  type: ['null', string];
  default: null;
  doc: string;
}
