import { compileExpression, type ExpressionRole } from './compileExpression';
import { COST_LIMITS, lastCost } from './costMeter';

function evaluate(text: string, payload: Record<string, unknown>, role: ExpressionRole = 'boolean') {
  const c = compileExpression(text, role);
  if (!c.ok) throw new Error(`compile failed: ${c.error.message}`);
  return c.expression.evaluate(payload);
}

const numbers = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('CEL cost budget (costMeter)', () => {
  it('lets linear expressions over an ordinary event through, and counts their cost', () => {
    expect(evaluate('xs.exists(x, x == 999)', { xs: numbers(1000) })).toEqual({ ok: true, value: true });
    expect(lastCost()).toBeGreaterThan(1000);
    expect(lastCost()).toBeLessThan(20_000);
    expect(evaluate('xs.filter(x, x % 2 == 0).size()', { xs: numbers(1000) }, 'number')).toEqual({
      ok: true,
      value: 500,
    });
  });

  it('stops a quadratic expression that passes compile on a huge event, naming the budget', () => {
    // `in` rescans the whole list once per element: 50,000^2 comparisons without the budget.
    const r = evaluate('xs.all(x, x in xs)', { xs: numbers(50_000) });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.message).toMatch(new RegExp(`expression limit: cost budget of ${COST_LIMITS.maxCost} exceeded`));
    expect(lastCost()).toBeLessThanOrEqual(COST_LIMITS.maxCost + 100_000);
  });

  it('charges deep equality of large lists, even when || would absorb the error', () => {
    const big = numbers(20_000);
    const r = evaluate('xs.all(x, a == b) || true', { xs: numbers(1_000), a: [big], b: [[...big]] });
    expect(r).toMatchObject({ ok: false, error: { message: expect.stringMatching(/cost budget/) } });
  });

  it('caps the size of a list or string the expression builds', () => {
    const r = evaluate('size(xs.map(x, x * 2)) > 0', { xs: numbers(COST_LIMITS.maxBuiltLength + 1) });
    expect(r).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(
          new RegExp(
            `built a list of ${COST_LIMITS.maxBuiltLength + 1} elements; at most ${COST_LIMITS.maxBuiltLength}`,
          ),
        ),
      },
    });
    const s = evaluate('size(a + b) > 0', { a: 'x'.repeat(60_000), b: 'y'.repeat(60_000) });
    expect(s).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/built a string of 120000 characters/) },
    });
    // Reading a large value from the event is not building one.
    expect(evaluate('size(a) > 0', { a: 'x'.repeat(COST_LIMITS.maxBuiltLength * 2) })).toEqual({
      ok: true,
      value: true,
    });
  });

  it('starts every evaluation with a fresh budget: one breach does not affect the next event', () => {
    expect(evaluate('xs.all(x, x in xs)', { xs: numbers(50_000) }).ok).toBe(false);
    expect(evaluate('xs.all(x, x in xs)', { xs: numbers(100) })).toEqual({ ok: true, value: true });
  });

  it('gives the same verdict on a redelivery (deterministic: counts work, not time)', () => {
    const payload = { xs: numbers(3_000) };
    const first = evaluate('xs.all(x, x in xs)', payload);
    const firstCost = lastCost();
    const second = evaluate('xs.all(x, x in xs)', payload);
    expect(second).toEqual(first);
    expect(lastCost()).toBe(firstCost);
  });
});
