import { isLosslessNumber, parse as losslessParse } from "lossless-json";

/**
 * Lossless JSON for the slow path: numbers come back as `WireNumber`, holding their exact text.
 * Only `protocol/` touches raw JSON (design notes: parse at the boundary, once).
 */

export class WireNumber {
  constructor(readonly text: string) {}
}

export type Json = null | boolean | string | WireNumber | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

const toWireNumber = (text: string): WireNumber => new WireNumber(text);

/**
 * Parses one frame; throws `SyntaxError` with a position on malformed JSON, and one that says so on
 * JSON nested deeper than the parser's recursion can follow (the engine's stack overflow, which names
 * nothing about the frame).
 */
export function parseJson(text: string): Json {
  try {
    return losslessParse(text, null, toWireNumber) as Json;
  } catch (e) {
    if (e instanceof RangeError) throw new SyntaxError("nested too deeply to read", { cause: e });
    throw e;
  }
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof WireNumber);
}

export function isWireNumber(v: unknown): v is WireNumber {
  return v instanceof WireNumber || isLosslessNumber(v);
}

/** A JSON integer that fits a JS number exactly, else undefined. */
export function safeInteger(v: Json | undefined): number | undefined {
  if (!(v instanceof WireNumber) || !/^-?\d+$/.test(v.text)) return undefined;
  const n = Number(v.text);
  return Number.isSafeInteger(n) ? n : undefined;
}
