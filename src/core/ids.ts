/** Video, user and other ids are UUIDs: anything else in a path is refused before it reaches storage. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
