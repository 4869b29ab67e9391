/**
 * The `resetOptions` of an edit form. It opens on the copy of the record a list cached, then
 * refills from a fresh read; without this, that refill drops what the user typed meanwhile. With
 * it, only the fields not touched take the fresh values.
 */
export const KEEP_TYPED = { keepDirtyValues: true } as const;
