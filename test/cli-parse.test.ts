import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseIntInRange, parseNonNegativeInt, parseNonNegativeNumber, parseNumber, parsePort, parsePositiveInt } from '../src/cli/parse.js';

describe('CLI option parsers', () => {
  it('parsePositiveInt takes integers ≥ 1 only', () => {
    expect(parsePositiveInt('1')).toBe(1);
    expect(parsePositiveInt('2048')).toBe(2048);
    for (const bad of ['0', '-3', '1.5', '', ' ', 'ten', 'NaN', 'Infinity']) expect(() => parsePositiveInt(bad)).toThrow(InvalidArgumentError);
    expect(() => parsePositiveInt('0')).toThrow('expected an integer ≥ 1, got "0"');
  });

  it('parseNonNegativeInt also takes 0', () => {
    expect(parseNonNegativeInt('0')).toBe(0);
    expect(parseNonNegativeInt('42')).toBe(42);
    for (const bad of ['-1', '0.5', '', 'x']) expect(() => parseNonNegativeInt(bad)).toThrow(InvalidArgumentError);
    expect(() => parseNonNegativeInt('-1')).toThrow('expected an integer ≥ 0, got "-1"');
  });

  it('parseIntInRange includes both ends', () => {
    const level = parseIntInRange(1, 9);
    expect(level('1')).toBe(1);
    expect(level('9')).toBe(9);
    for (const bad of ['0', '10', '4.5', '']) expect(() => level(bad)).toThrow('expected an integer from 1 to 9');
  });

  it('parseNumber and parseNonNegativeNumber refuse blanks and non-finite values', () => {
    expect(parseNumber('-2.5')).toBe(-2.5);
    expect(parseNonNegativeNumber('0')).toBe(0);
    expect(parseNonNegativeNumber('0.1')).toBe(0.1);
    for (const bad of ['', ' ', 'abc', 'Infinity', 'NaN']) expect(() => parseNumber(bad)).toThrow('expected a number');
    expect(() => parseNonNegativeNumber('-0.1')).toThrow('expected a number ≥ 0, got "-0.1"');
  });

  it('parsePort takes 0 … 65535', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('65535')).toBe(65535);
    for (const bad of ['65536', '-1', '80.5', '']) expect(() => parsePort(bad)).toThrow(InvalidArgumentError);
  });
});
