/** The app's URL prefix: everything it serves is under it, so it never collides with the API. */
export const APP_BASE = '/app/';
