/**
 * The operations (and a server's API) name their inputs as the API does (`ids`, `where`, `all`);
 * on the command line the user typed flags, so messages are told in those terms.
 */
const API_TERMS_AS_FLAGS: [RegExp, string][] = [
  [/\bexactly one of: ids, where, all\b/, 'exactly one of: --id, --where, --all'],
  [/\bexactly one of: nodes, all, where\b/, 'exactly one of: --node, --all, --where'],
];

export function inFlagTerms(message: string): string {
  let text = message;
  for (const [api, flags] of API_TERMS_AS_FLAGS) text = text.replace(api, flags);
  return text;
}
