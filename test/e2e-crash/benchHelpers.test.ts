import { percentile } from '../../bench/e2e/percentile';
import { areaOf } from '../../bench/e2e/topFunctions';

// bench/ is outside jest's roots, so the bench helpers' tests live here.
describe('percentile', () => {
  it('takes the nearest rank', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 99)).toBe(10);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
  });
  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});
describe('areaOf', () => {
  it('names packages, our folders, Node subsystems and VM entries', () => {
    expect(areaOf('file:///w/node_modules/durable-functions/lib/src/x.js', 'f')).toBe('durable-functions');
    expect(areaOf('file:///w/node_modules/@azure/functions/dist/x.js', 'f')).toBe('@azure/functions');
    expect(areaOf('file:///w/dist/local-host/durable/sqliteStore.js', 'f')).toBe('local-host/durable');
    expect(areaOf('file:///w/dist/src/core/state/streamState.js', 'f')).toBe('src/core/state');
    expect(areaOf('node:internal/streams/writable', 'f')).toBe('node:streams');
    expect(areaOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(areaOf('', 'writev')).toBe('native writev');
  });
});
