import { describe, expect, it } from 'vitest';
import { createByteBudget } from './byte-budget.js';

describe('byte budget', () => {
  it('admits work while it fits and holds the rest until bytes are given back', async () => {
    const budget = createByteBudget(100);
    const first = await budget.acquire(60);
    const second = await budget.acquire(40);
    let thirdAdmitted = false;
    const third = budget.acquire(30).then((release) => {
      thirdAdmitted = true;
      return release;
    });
    await Promise.resolve();
    expect(thirdAdmitted).toBe(false);
    first();
    (await third)();
    expect(thirdAdmitted).toBe(true);
    second();
  });

  it('serves in arrival order, so a large item is not overtaken by small ones', async () => {
    const budget = createByteBudget(100);
    const holder = await budget.acquire(50);
    const order: string[] = [];
    const large = budget.acquire(100).then((release) => {
      order.push('large');
      release();
    });
    const small = budget.acquire(10).then((release) => {
      order.push('small');
      release();
    });
    holder();
    await Promise.all([large, small]);
    expect(order).toEqual(['large', 'small']);
  });

  it('ignores a second release of the same bytes', async () => {
    const budget = createByteBudget(10);
    const release = await budget.acquire(10);
    release();
    release();
    const a = await budget.acquire(10);
    let secondAdmitted = false;
    void budget.acquire(1).then(() => (secondAdmitted = true));
    await Promise.resolve();
    expect(secondAdmitted).toBe(false);
    a();
  });
});
