/**
 * The server words some errors for the command line (`invalid --where …`, `use --id`); the page
 * has no flags, so say the same thing in the page's words.
 */
const CLI_TERMS: readonly [RegExp, string][] = [
  [/\binvalid --where\b/g, 'invalid filter expression'],
  [/--where\b/g, 'the filter expression'],
  [/--data\b/g, 'the form'],
  [/--id\b/g, 'the selected rows'],
  [/--all\b/g, 'all rows'],
  [/--model\b/g, 'the model'],
  [/--(offset|limit)\b/g, 'the page'],
  [/--yes\b/g, 'the confirm step'],
  // A page address with a name where an id belongs (#/jobs/create): the schema's words mean nothing here.
  [
    /^invalid path: id: Invalid input: expected number, received NaN$/g,
    'nothing is at this address: its id must be a number',
  ],
];

export function pageWording(message: string): string {
  let out = message;
  for (const [pattern, words] of CLI_TERMS) out = out.replace(pattern, words);
  return out;
}
