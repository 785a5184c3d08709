/**
 * The directory of people (GET /users: sub, name, e-mail, paged by cursor),
 * for owner names and the owner filter of admins and viewers. Without it
 * (a 404 from an older server) owners are shown by id, all a task carries.
 */
import { request } from './http.ts';
import { ApiError } from './problem.ts';

export interface Person {
  sub: string;
  name: string | null;
  email: string | null;
}

interface PersonPage {
  items: Person[];
  next_cursor: string | null;
}

/** Pages read at most: the directory is for choosing owners, not an export. */
const MAX_PAGES = 20;

export const displayNameOf = (person: Person) => person.name ?? person.email ?? person.sub;

export async function listPeople(): Promise<Person[]> {
  const people: Person[] = [];
  let cursor: string | null = null;
  try {
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
      const { body }: { body: PersonPage } = await request<PersonPage>(`/users${query}`);
      people.push(...body.items);
      cursor = body.next_cursor;
      if (!cursor) break;
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return [];
    throw error;
  }
  return people;
}
