import { z } from 'zod';

/** Where a form field's choices come from (as the session's form declares it). */
export const CHOICE_SOURCES = ['model', 'facts', 'field', 'function'] as const;
export type ChoiceSource = (typeof CHOICE_SOURCES)[number];

/**
 * What a form field's JSON Schema says about its choices (`choices` beside its type): the
 * web admin renders such a field as a searchable select loaded from the choices endpoint.
 */
export const choiceFieldHint = z.object({
  source: z.enum(CHOICE_SOURCES),
  description: z
    .string()
    .describe('where the choices come from, for people: "App (enabled = true)"'),
});
export type ChoiceFieldHint = z.infer<typeof choiceFieldHint>;

/** One choice: the value the form sends, its label, and how many selected objects have it. */
export const choice = z.object({
  value: z.union([z.string(), z.number(), z.boolean()]),
  label: z.string(),
  count: z
    .number()
    .int()
    .nullable()
    .describe('facts and fields: how many of the selected objects have this value; else null'),
});
export type Choice = z.infer<typeof choice>;

/** The choices of one form field for a selection. */
export const choiceList = z.object({
  session: z.string(),
  field: z.string(),
  source: z.enum(CHOICE_SOURCES),
  multiple: z.boolean().describe('the field takes a list of choices'),
  selected: z.number().int().describe('how many objects the choices were computed for'),
  items: z.array(choice),
});
export type ChoiceList = z.infer<typeof choiceList>;

export const choiceParams = z.object({ name: z.string(), field: z.string() });

export const choiceQuery = z.object({
  model: z.string().optional().describe('the model the run is on (when the session has several)'),
  ids: z
    .string()
    .optional()
    .describe('the selected record ids, comma-separated (host names work for Host)'),
  where: z.string().optional().describe('or the selection as a filter'),
});
export type ChoiceQuery = z.infer<typeof choiceQuery>;
