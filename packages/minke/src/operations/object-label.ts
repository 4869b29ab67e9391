import type { RecordValues } from '../model/record-codec.js';
import type { Project } from './project.js';
import { displayValue } from '../util/display-value.js';

/** How an object is named in lists and history: its display fields, or `Model #id`. */
export function objectLabel(
  project: Project,
  model: string,
  object: RecordValues | undefined,
): string {
  if (!object) return `${model} #?`;
  if (model === 'Host') return displayValue(object['name']);
  const definition = project.models.get(model);
  const parts = definition.display
    .map((field) => object[field])
    .filter((value) => value !== null && value !== undefined && value !== '')
    .map(displayValue);
  return parts.length > 0
    ? `${parts.join(' ')} (${model} #${object.id})`
    : `${model} #${object.id}`;
}
