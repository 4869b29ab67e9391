import { describe, expect, it } from 'vitest';
import { asText, formText, shorten } from './value-text.js';

describe('values shortened for a cell', () => {
  it('keeps text that fits and cuts longer text to the limit, ending in an ellipsis', () => {
    expect(shorten('12345', 5)).toBe('12345');
    expect(shorten('123456', 5)).toBe('1234…');
    expect(shorten('123456', 5)).toHaveLength(5);
  });

  it('shows a string as it is and anything else as JSON', () => {
    expect(asText('debian')).toBe('debian');
    expect(asText({ id: 'debian' })).toBe('{"id":"debian"}');
    expect(asText(12)).toBe('12');
    expect(asText(undefined)).toBe('undefined');
  });

  it('gives a text box a string as it is, anything else as indented JSON, nothing as empty', () => {
    expect(formText(undefined)).toBe('');
    expect(formText(null)).toBe('');
    expect(formText('user: deploy')).toBe('user: deploy');
    expect(formText({ user: 'deploy' })).toBe('{\n  "user": "deploy"\n}');
  });
});
