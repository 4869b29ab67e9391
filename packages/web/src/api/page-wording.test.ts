import { describe, expect, it } from 'vitest';
import { pageWording } from './page-wording.js';
import { toApiError } from './http.js';

describe('errors in page words', () => {
  it('says "filter expression" where the server says --where', () => {
    expect(pageWording('invalid --where at character 8 of "name = ": a value is missing')).toBe(
      'invalid filter expression at character 8 of "name = ": a value is missing',
    );
  });

  it('rewords every API error the page shows, and leaves other words alone', () => {
    const error = toApiError(400, {
      error: { code: 'input', message: 'invalid --where at character 1 of "=": no field' },
    });
    expect(error.message).toBe('invalid filter expression at character 1 of "=": no field');
    expect(pageWording('host web-1 is disabled')).toBe('host web-1 is disabled');
  });

  it('says what a page address with a name instead of an id means', () => {
    expect(pageWording('invalid path: id: Invalid input: expected number, received NaN')).toBe(
      'nothing is at this address: its id must be a number',
    );
  });
});
