import type { PropertyType } from "../client/catalog";
import type { EventTypeInput } from "../api/types";

/** A property row as the event type form edits it. */
export interface PropertyDraft {
  name: string;
  type: PropertyType;
  required: boolean;
}

export const EVENT_TYPE_NAME_RE = /^[a-z][a-z0-9_]*$/;
export const PROPERTY_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const EVENT_TYPE_NAME_HINT = "Lowercase letters, digits and underscores, starting with a letter, e.g. match_won";
const MAX_PROPERTIES = 50;

export type EventTypeErrors = Record<string, string>;

/** The event type form's rules in words (the catalog checks them again). Errors of a property
 * row are keyed `properties.<index>.name`, as the form names its fields. */
export function validateEventType(
  values: { name: string; title: string; description: string; properties: PropertyDraft[] },
  { creating }: { creating: boolean },
): EventTypeErrors {
  const errors: EventTypeErrors = {};
  if (creating) {
    if (!values.name) errors.name = `Enter a name. ${EVENT_TYPE_NAME_HINT}`;
    else if (values.name.length > 64) errors.name = "At most 64 characters";
    else if (!EVENT_TYPE_NAME_RE.test(values.name)) errors.name = EVENT_TYPE_NAME_HINT;
  }
  if (!values.title.trim()) errors.title = "Enter a title admins will see";
  else if (values.title.length > 200) errors.title = "At most 200 characters";
  if (values.description.length > 2000) errors.description = "At most 2000 characters";
  if (values.properties.length > MAX_PROPERTIES) errors.properties = `At most ${MAX_PROPERTIES} properties`;
  const seen = new Set<string>();
  values.properties.forEach((property, index) => {
    const key = `properties.${index}.name`;
    if (!PROPERTY_NAME_RE.test(property.name) || property.name.length > 64) {
      errors[key] = "Letters, digits and underscores, not starting with a digit";
    } else if (seen.has(property.name)) {
      errors[key] = "Named twice";
    }
    seen.add(property.name);
  });
  return errors;
}

export function toEventTypeInput(values: {
  name: string;
  title: string;
  description: string;
  properties: PropertyDraft[];
}): EventTypeInput {
  return {
    name: values.name,
    title: values.title,
    description: values.description,
    properties: Object.fromEntries(values.properties.map((p) => [p.name, { type: p.type, required: p.required }])),
  };
}

/** "mode (string, required), kills (integer)" — a type's properties in a list cell. */
export function propertiesWords(properties: Record<string, { type: PropertyType; required?: boolean }>): string {
  const parts = Object.entries(properties).map(
    ([name, p]) => `${name} (${p.type}${p.required ? ", required" : ""})`,
  );
  return parts.length ? parts.join(", ") : "no properties";
}
