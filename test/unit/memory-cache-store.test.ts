import { describe, expect, it } from 'vitest';
import { MemoryCacheStore } from '../../src/infra/cache/memory-cache-store.ts';

const page = (characters: number) => 'x'.repeat(characters);

describe('the in-process cache', () => {
  it('keeps what it holds within its size: the least recently read entry goes first', async () => {
    const cache = new MemoryCacheStore(100, 3_000);
    await cache.set('a', page(990), 300);
    await cache.set('b', page(990), 300);
    await cache.set('c', page(990), 300);
    expect(await cache.get('a')).toHaveLength(990); // read: now the most recent
    await cache.set('d', page(990), 300);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toHaveLength(990);
    expect(await cache.get('c')).toHaveLength(990);
    expect(await cache.get('d')).toHaveLength(990);
  });

  it('keeps at most its count of entries, however small', async () => {
    const cache = new MemoryCacheStore(2, 3_000);
    for (const key of ['a', 'b', 'c']) await cache.set(key, '{}', 300);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('c')).toBe('{}');
  });

  it('does not store a value larger than all of it, and keeps the rest', async () => {
    const cache = new MemoryCacheStore(100, 3_000);
    await cache.set('small', '{}', 300);
    await cache.set('huge', page(5_000), 300);
    expect(await cache.get('huge')).toBeUndefined();
    expect(await cache.get('small')).toBe('{}');
  });
});
