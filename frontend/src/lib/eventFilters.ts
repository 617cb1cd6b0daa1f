import type { FilterOp, PropertyType, QuestFilter } from "../client/catalog";

/** A property of an event type as the catalog describes it. */
export interface PropertyShape {
  type: PropertyType;
  required?: boolean;
}
export type Properties = Record<string, PropertyShape>;

/** A filter row as the quest form edits it: the value as typed (a list for `in` is comma-separated). */
export interface FilterDraft {
  property: string;
  op: FilterOp;
  value: string;
}

const OP_WORDS: Record<FilterOp, string> = {
  eq: "is",
  ne: "is not",
  in: "is one of",
  gt: "is more than",
  gte: "is at least",
  lt: "is less than",
  lte: "is at most",
};

/** The comparisons that make sense for a property's type (the catalog refuses the others). */
export function opsFor(type: PropertyType | undefined): FilterOp[] {
  if (type === "integer" || type === "number") return ["eq", "ne", "in", "gt", "gte", "lt", "lte"];
  if (type === "boolean") return ["eq", "ne"];
  return ["eq", "ne", "in"];
}

export function opWords(op: FilterOp): string {
  return OP_WORDS[op];
}

export function isNumeric(type: PropertyType | undefined): boolean {
  return type === "integer" || type === "number";
}

/** The names of the properties a sum can add up. */
export function numericProperties(properties: Properties): string[] {
  return Object.entries(properties)
    .filter(([, shape]) => isNumeric(shape.type))
    .map(([name]) => name);
}

type Scalar = string | number | boolean;

function parseOne(text: string, type: PropertyType): Scalar | string {
  const raw = text.trim();
  if (type === "string") return raw;
  if (type === "boolean") {
    if (raw === "true") return true;
    if (raw === "false") return false;
    throw new Error("Pick true or false");
  }
  if (raw === "" || !Number.isFinite(Number(raw))) throw new Error("Enter a number");
  const n = Number(raw);
  if (type === "integer" && !Number.isInteger(n)) throw new Error("Enter a whole number");
  return n;
}

/** The API's filter from a form row, or the reason it cannot be one, in words. */
export function parseFilter(draft: FilterDraft, properties: Properties): QuestFilter | { error: string } {
  const shape = properties[draft.property];
  if (!shape) return { error: "Pick a property of this event type" };
  if (!opsFor(shape.type).includes(draft.op)) return { error: `“${opWords(draft.op)}” does not apply to ${shape.type}` };
  try {
    if (draft.op === "in") {
      const parts = draft.value.split(",").filter((part) => part.trim() !== "");
      if (parts.length === 0) return { error: "List one value or more, separated by commas" };
      return { property: draft.property, op: draft.op, value: parts.map((part) => parseOne(part, shape.type)) };
    }
    if (shape.type === "string" && draft.value.trim() === "") return { error: "Enter a value" };
    return { property: draft.property, op: draft.op, value: parseOne(draft.value, shape.type) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** A stored filter back into a form row. */
export function filterToDraft(filter: QuestFilter): FilterDraft {
  const value = Array.isArray(filter.value) ? filter.value.map(String).join(", ") : String(filter.value);
  return { property: filter.property, op: filter.op, value };
}

/** "mode is one of duo, squad" — a filter in words, for lists. */
export function filterWords(filter: QuestFilter): string {
  const value = Array.isArray(filter.value) ? filter.value.map(String).join(", ") : String(filter.value);
  return `${filter.property} ${opWords(filter.op)} ${value}`;
}
