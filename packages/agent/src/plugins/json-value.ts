/** A value JSON can carry: what a plugin's parsed output may be. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
