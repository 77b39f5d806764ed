import { describe, expect, it } from 'vitest';
import { CalibrationError } from '../../../calibration/errors.ts';
import { parseXml } from '../../../calibration/io/xml.ts';

const failure = (text: string): string => {
  try {
    parseXml(text);
  } catch (e) {
    expect(e).toBeInstanceOf(CalibrationError);
    expect((e as CalibrationError).code).toBe('VOLNO_CALIBRATION_UNREADABLE');
    return (e as CalibrationError).message;
  }
  throw new Error('expected a failure');
};

describe('parseXml', () => {
  it('reads elements, attributes in either quote, entities, comments, CDATA and a declaration', () => {
    const root = parseXml(
      `\uFEFF<?xml version="1.0"?>\r\n<!-- PKLot -->\r\n<parking id='a&amp;b'>\r\n  <space id="1" note="&lt;&#65;&#x42;&quot;" />\r\n  <x><![CDATA[<raw>]]> text </x>\r\n</parking>\r\n`.slice(
        1,
      ),
    );
    expect(root.name).toBe('parking');
    expect(root.attributes).toEqual({ id: 'a&b' });
    expect(root.children.map((c) => [c.name, c.line])).toEqual([
      ['space', 4],
      ['x', 5],
    ]);
    expect(root.children[0]!.attributes['note']).toBe('<AB"');
    expect(root.children[1]!.text).toBe('<raw> text');
  });

  it('refuses DOCTYPE declarations, so no entity can expand or reach outside the file', () => {
    expect(failure('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')).toMatch(/DOCTYPE/);
    expect(failure('<x>&a;</x>')).toMatch(/unknown entity &a;/);
  });

  it('reports malformed input with its line', () => {
    expect(failure('<a>\n<b>\n</a>')).toMatch(/line 3: <\/a> closes <b> from line 2/);
    expect(failure('<a x="1" x="2"/>')).toMatch(/attribute x repeated/);
    expect(failure('<a x=1/>')).toMatch(/must be quoted/);
    expect(failure('<a>')).toMatch(/never closed/);
    expect(failure('<a/><b/>')).toMatch(/content after the root/);
    expect(failure('hello')).toMatch(/does not start with an element/);
    expect(failure('<a>fish & chips</a>')).toMatch(/bare "&"/);
    expect(failure('<a><!-- open')).toMatch(/unterminated comment/);
    expect(failure('<a b="1"c="2"/>')).toMatch(/expected whitespace/);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(failure('<a>'.repeat(100) + '</a>'.repeat(100))).toMatch(/nested too deeply/);
  });
});
