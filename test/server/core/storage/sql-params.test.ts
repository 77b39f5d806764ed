import { describe, expect, it } from 'vitest';
import { translate } from '../../../../server/core/storage/sql/params.ts';

describe('translating placeholders per engine', () => {
  it('gives SQLite ? in order of appearance and PostgreSQL its own $n', () => {
    const sql = 'SELECT * FROM t WHERE a = $2 AND b = $1 AND c = $2';
    expect(translate(sql, ['one', 'two'], 'sqlite')).toEqual({
      text: 'SELECT * FROM t WHERE a = ? AND b = ? AND c = ?',
      values: ['two', 'one', 'two'],
    });
    expect(translate(sql, ['one', 'two'], 'postgres')).toEqual({ text: sql, values: ['one', 'two'] });
  });

  it('numbers named parameters by first appearance on PostgreSQL', () => {
    const sql = 'UPDATE t SET a = :now, b = :id WHERE c < :now';
    expect(translate(sql, { id: 7, now: 9, unused: 1 }, 'postgres')).toEqual({
      text: 'UPDATE t SET a = $1, b = $2 WHERE c < $1',
      values: [9, 7],
    });
    expect(translate(sql, { id: 7, now: 9 }, 'sqlite')).toEqual({
      text: 'UPDATE t SET a = ?, b = ? WHERE c < ?',
      values: [9, 7, 9],
    });
  });

  it('leaves literals, quoted names, comments and casts alone', () => {
    const sql = `SELECT ':a', "$1", 'it''s :b' -- :c $9
      /* :d $8 */ , x::text FROM t WHERE y = :e`;
    const out = translate(sql, { e: 1 }, 'postgres');
    expect(out.values).toEqual([1]);
    expect(out.text).toBe(sql.replace(':e', '$1'));
  });

  it('stores booleans as 0/1 and undefined as NULL, and refuses what the engines bind differently', () => {
    expect(translate('SELECT $1, $2, $3', [true, false, undefined], 'sqlite').values).toEqual([1, 0, null]);
    expect(() => translate('SELECT $1', [new Date(0)], 'postgres')).toThrow(/epoch milliseconds/);
    expect(() => translate('SELECT $1', [{ a: 1 }], 'sqlite')).toThrow(/cannot bind a object/);
  });

  it('refuses statements that would bind the wrong values', () => {
    const code = { code: 'VOLNO_DB_PARAMS' };
    expect(() => translate('SELECT ?', [1], 'sqlite')).toThrow(expect.objectContaining(code));
    expect(() => translate('SELECT $1, :a', [1], 'sqlite')).toThrow(/mixes/);
    expect(() => translate('SELECT $1, $3', [1, 2, 3], 'sqlite')).toThrow(/\$2 is never used/);
    expect(() => translate('SELECT $1', [1, 2], 'postgres')).toThrow(/2 parameters were given/);
    expect(() => translate('SELECT :a', [1], 'postgres')).toThrow(/pass an object/);
    expect(() => translate('SELECT 1', [1], 'postgres')).toThrow(/no placeholders/);
  });
});
