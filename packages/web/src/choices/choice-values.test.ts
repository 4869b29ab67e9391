import { describe, expect, it } from 'vitest';
import { choiceText, fromFormValue, toFormValue } from './choice-values.js';

const options = [
  { value: 'nginx', label: 'nginx', count: 18 },
  { value: 7, label: 'alpha', count: null },
];

describe('choice values', () => {
  it('reads as its label, with how many selected objects have it', () => {
    expect(choiceText(options[0] as (typeof options)[0], 20)).toBe('nginx — on 18 of 20');
    expect(choiceText(options[1] as (typeof options)[1], 20)).toBe('alpha');
  });

  it('keeps one value as text and several as a JSON list, and reads them back', () => {
    expect(toFormValue(options, true)).toBe('["nginx",7]');
    expect(toFormValue(options.slice(1), false)).toBe('7');
    expect(toFormValue([], true)).toBe('');
    expect(fromFormValue('["nginx",7]', options, true)).toEqual(options);
    expect(fromFormValue('7', options, false)).toEqual([options[1]]);
    expect(fromFormValue('["gone"]', options, true)).toEqual([]);
    expect(fromFormValue('{not json', options, true)).toEqual([]);
  });
});
