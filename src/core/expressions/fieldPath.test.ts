import { fieldReader } from './fieldPath';

describe('fieldReader', () => {
  it('reads own top-level fields of any name, null when missing, inherited or null', () => {
    // More names than reader sites, so sites are shared between names.
    const names = Array.from({ length: 20 }, (_, i) => `f${i}`);
    const event: Record<string, unknown> = Object.fromEntries(names.map((n, i) => [n, i]));
    for (const [i, n] of names.entries()) expect(fieldReader([n])(event)).toBe(i);
    expect(fieldReader(['missing'])(event)).toBeNull();
    expect(fieldReader(['f1'])({ f1: null })).toBeNull();
    expect(fieldReader(['f1'])({ f1: undefined })).toBeNull();
    expect(fieldReader(['toString'])({})).toBeNull();
    expect(fieldReader(['f1'])(Object.create({ f1: 'inherited' }) as Record<string, unknown>)).toBeNull();
    expect(fieldReader(['f1'])({ f1: 'own' })).toBe('own');
  });

  it('shares one reader per field name', () => {
    expect(fieldReader(['delay'])).toBe(fieldReader(['delay']));
    expect(fieldReader(['delay'])).not.toBe(fieldReader(['distance']));
  });

  it('reads nested paths through own object properties only', () => {
    expect(fieldReader(['m', 'x'])({ m: { x: 3 } })).toBe(3);
    expect(fieldReader(['m', 'x'])({ m: [3] })).toBeNull();
    expect(fieldReader(['m', 'x', 'y'])({ m: { x: { y: 'deep' } } })).toBe('deep');
    expect(fieldReader(['m', 'x', 'y'])({ m: { x: null } })).toBeNull();
  });
});
