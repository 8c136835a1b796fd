import { InvalidArgumentError } from 'commander';

/**
 * For a repeatable option whose values come from a fixed list (`--server a --server b`): checks
 * each value and collects them. Commander's own `.choices()` is replaced by a custom parser, so a
 * repeatable option must check its choices here, or an unknown value is accepted in silence
 * (`calibrate --server nonsense` used to send bursts for a minute; issue 17).
 */
export function collectChoice<T extends string>(
  choices: readonly T[],
): (value: string, previous?: T[]) => T[] {
  return (value, previous = []) => {
    if (!(choices as readonly string[]).includes(value))
      throw new InvalidArgumentError(`"${value}" is not one of: ${choices.join(', ')}.`);
    return [...previous, value as T];
  };
}
