/**
 * Element reads for the engine's typed arrays. With `noUncheckedIndexedAccess` every `a[i]`
 * reads as `number | undefined`; the engine's indices are in range by construction (slot,
 * worker and replica numbers it allocated itself), so these two functions are the one place
 * that says so, instead of a cast at every read. One function per array type keeps each read
 * site monomorphic, which V8 inlines.
 */

/** Element i of an Int32Array, i in range. */
export function i32(a: Int32Array, i: number): number {
  return a[i] as number;
}

/** Element i of a Float64Array, i in range. */
export function f64(a: Float64Array, i: number): number {
  return a[i] as number;
}

/** A copy of `a` with room for `length` elements, the rest zero. */
export function grownI32(a: Int32Array, length: number): Int32Array {
  const out = new Int32Array(length);
  out.set(a);
  return out;
}

/** A copy of `a` with room for `length` elements, the rest zero. */
export function grownF64(a: Float64Array, length: number): Float64Array {
  const out = new Float64Array(length);
  out.set(a);
  return out;
}
