import { describe, expect, it } from 'vitest';
import { editorFinding, reasonText } from '../src/views/what-if.js';

describe('what-if in the editor: the server pointers and the decisive reasons', () => {
  it("a problem of the proposed binding (/put/0/...) is placed at the binding's own pointer", () => {
    expect(editorFinding('/put/0/trustPolicy/Statement/0', 'x').pointer).toBe(
      '/trustPolicy/Statement/0',
    );
    expect(editorFinding('/put/0', 'x').pointer).toBe('/');
    // not the edited binding's: left as the server named it
    expect(editorFinding('/put/01/id', 'x').pointer).toBe('/put/01/id');
    expect(editorFinding('/remove/0', 'x')).toEqual({
      pointer: '/remove/0',
      message: 'x',
      source: 'server',
      severity: 'error',
    });
  });

  it('a reason names its statement, key and operator, then what happened and the detail', () => {
    expect(
      reasonText({
        code: 'ConditionMet',
        policy: 'trust',
        statement: 1,
        sid: 'Auditors',
        key: 'token:cognito:groups',
        operator: 'ForAnyValue:StringEquals',
        detail: 'has ["auditors"]',
      }),
    ).toBe(
      'trust policy statement Auditors: ForAnyValue:StringEquals token:cognito:groups: condition met — has ["auditors"]',
    );
    expect(reasonText({ code: 'BindingRemoved' })).toBe('the binding is removed');
    expect(reasonText({ code: 'SomethingNew' })).toBe('SomethingNew');
  });
});
