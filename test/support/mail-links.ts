/**
 * The tasks an e-mail links to (`/app/tasks/{id}`), read from the raw
 * message: its parts are quoted-printable, whose soft line breaks (`=` at a
 * line's end) cut a long link anywhere, so they are undone first.
 */
const TASK_LINK = /\/app\/tasks\/([0-9a-f-]{36})/g;

export function linkedTaskIds(rawMail: string): string[] {
  const unfolded = rawMail.replace(/=\r?\n/g, '');
  return [...new Set([...unfolded.matchAll(TASK_LINK)].map((match) => match[1] as string))];
}
