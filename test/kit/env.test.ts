import { describe, expect, it } from 'vitest';
import { substituteEnv } from '../../kit/env.ts';

describe('environment placeholders', () => {
  it('replaces ${NAME} in every string, nested in objects and lists, and leaves keys and non-strings alone', () => {
    const r = substituteEnv({ a: '${A}', list: ['x-${A}-y', 3, true, null], '${A}': 1 }, { A: 'v' });
    expect(r).toEqual({ value: { a: 'v', list: ['x-v-y', 3, true, null], '${A}': 1 }, issues: [] });
  });

  it('uses the fallback after :- when the variable is unset or empty, as a shell does', () => {
    const r = substituteEnv({ a: '${A:-one}', b: '${B:-two}', c: '${C:-}' }, { A: '' });
    expect(r).toEqual({ value: { a: 'one', b: 'two', c: '' }, issues: [] });
  });

  it('names the path of every unset or empty variable without a fallback', () => {
    const r = substituteEnv({ mqtt: { password: '${PW}' }, 'a/b': ['${EMPTY}'], top: '${PW}' }, { EMPTY: '' });
    expect(r.issues).toEqual([
      { path: '/mqtt/password', message: 'environment variable PW is not set' },
      { path: '/a~1b/0', message: 'environment variable EMPTY is empty' },
      { path: '/top', message: 'environment variable PW is not set' },
    ]);
  });

  it('keeps $${NAME} as the literal text ${NAME}', () => {
    expect(substituteEnv('p$${A}q', { A: 'no' })).toEqual({ value: 'p${A}q', issues: [] });
  });

  it('never rescans a value taken from the environment', () => {
    expect(substituteEnv('${A}', { A: '${B}', B: 'leak' })).toEqual({ value: '${B}', issues: [] });
  });

  it('reports a placeholder in a fallback as unsupported instead of yielding its text', () => {
    // A shell would expand ${B} inside the fallback; this one-pass substitution cannot, so it says so.
    const r = substituteEnv({ url: '${A:-${B}}' }, { B: 'b' });
    expect(r.issues).toEqual([
      { path: '/url', message: 'the fallback of ${A:-…} holds a placeholder; nested placeholders are not supported' },
    ]);
    expect(substituteEnv({ url: '${A:-${B}}' }, { A: 'a', B: 'b' }).issues).toHaveLength(1);
  });

  it('reports a bare string at the root as /', () => {
    expect(substituteEnv('${A}', {}).issues).toEqual([{ path: '/', message: 'environment variable A is not set' }]);
  });
});
