import { describe, expect, it } from 'vitest';
import { validatorCompiler } from '../../src/http/validator-compiler.ts';
import { ListTasksQuerySchema } from '../../src/modules/tasks/tasks.listing-schemas.ts';

const validateQuery = validatorCompiler({
  schema: ListTasksQuerySchema,
  httpPart: 'querystring',
  method: 'GET',
  url: '/tasks',
}) as ((data: unknown) => boolean) & { errors?: { instancePath: string }[] | null };

describe('integer query parameters', () => {
  it.each(['Infinity', '-Infinity', '1e400', '1e1', '5.0', '0x10', ' 5', '5 ', '+5', '0b1'])(
    'limit=%s is refused: an integer is written as one',
    (limit) => {
      expect(validateQuery({ limit })).toBe(false);
      expect(validateQuery.errors?.map((error) => error.instancePath)).toEqual(['/limit']);
    },
  );

  it('an integer in range is coerced; out of range, the bounds apply', () => {
    const query: Record<string, unknown> = { limit: '7', skip: '0012' };
    expect(validateQuery(query)).toBe(true);
    expect(query).toMatchObject({ limit: 7, skip: 12 });
    expect(validateQuery({ limit: '101' })).toBe(false);
    expect(validateQuery({ skip: '99999999999999999999' })).toBe(false);
  });

  it('the errors are those of the request at hand, not of an earlier one', () => {
    expect(validateQuery({ limit: 'Infinity' })).toBe(false);
    expect(validateQuery({ limit: '3' })).toBe(true);
    expect(validateQuery({ limit: '0' })).toBe(false);
    expect(validateQuery.errors?.[0]).toMatchObject({ instancePath: '/limit', keyword: 'minimum' });
  });
});
