import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AmbiguousUnitError, resolveUnit, UnknownUnitError } from './address.js';

const units = [
  { id: 'kirana-market/api-health', app: 'kirana-market', name: 'api-health' },
  { id: 'kirana-market/certificate', app: 'kirana-market', name: 'certificate' },
  { id: 'shop/api-health', app: 'shop', name: 'api-health' },
  { id: 'shop/main', app: 'shop', name: 'main' },
];

describe('resolveUnit', () => {
  it('finds app/unit and a unique bare name', () => {
    assert.equal(resolveUnit(units, 'shop/api-health').id, 'shop/api-health');
    assert.equal(resolveUnit(units, 'certificate').id, 'kirana-market/certificate');
    assert.equal(resolveUnit(units, ' main ').id, 'shop/main');
  });

  it('forgives case, since names are unique regardless of case', () => {
    assert.equal(resolveUnit(units, 'Shop/Main').id, 'shop/main');
  });

  it('lists the candidates for an ambiguous bare name', () => {
    assert.throws(
      () => resolveUnit(units, 'api-health'),
      (error: unknown) => {
        assert.ok(error instanceof AmbiguousUnitError);
        assert.deepEqual(error.candidates, ['kirana-market/api-health', 'shop/api-health']);
        assert.equal(
          error.message,
          '"api-health" names 2 units; write one of: kirana-market/api-health, shop/api-health',
        );
        return true;
      },
    );
  });

  it('suggests the nearest unit for an unknown address', () => {
    assert.throws(
      () => resolveUnit(units, 'shop/mian'),
      (error: unknown) => {
        assert.ok(error instanceof UnknownUnitError);
        assert.equal(error.suggestion, 'shop/main');
        assert.match(error.message, /^no unit "shop\/mian" in the plan; did you mean "shop\/main"\?/);
        return true;
      },
    );
    assert.throws(() => resolveUnit(units, 'certificat'), { suggestion: 'kirana-market/certificate' });
    assert.throws(
      () => resolveUnit(units, 'nothing-like-it'),
      (error: unknown) => {
        assert.ok(error instanceof UnknownUnitError);
        assert.equal(error.suggestion, undefined);
        return true;
      },
    );
  });
});
