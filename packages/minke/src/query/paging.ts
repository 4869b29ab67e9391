import { MAX_PAGE_SIZE } from '@minke/contract/api/common';
import { InputError } from '../errors.js';

export { MAX_PAGE_SIZE };

/** A page size: 50 when absent, at most MAX_PAGE_SIZE; anything but a whole number ≥ 1 is refused. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 50;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InputError('limit must be a whole number of at least 1', {
      fields: { limit: 'at least 1' },
    });
  }
  return Math.min(limit, MAX_PAGE_SIZE);
}

/** How many to skip: 0 when absent; anything but a whole number ≥ 0 is refused. */
export function pageOffset(offset: number | undefined): number {
  if (offset === undefined) return 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new InputError('offset must be a whole number of at least 0', {
      fields: { offset: 'at least 0' },
    });
  }
  return offset;
}
