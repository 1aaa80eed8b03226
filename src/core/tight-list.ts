/**
 * Arrays sized to what they hold, for lists kept as long as a history lives (a commit's trailers, raw
 * entries and digest changes; a row's approvers and gates). An array grown by `push` from `[]` gets room
 * for 16 elements at its first push (V8 grows a backing store to old + old / 2 + 16): ~130 bytes unused
 * in a list of one, which every scavenge copies for as long as the list lives. A literal `[x]` has room
 * for one; most of these lists never hold a second element.
 */

/** `list` with `item` appended, or `[item]` when there is no list yet. */
export function append<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

/** A copy of `list` sized to its length (a list built in a reused buffer); `[]` when empty. */
export function tight<T>(list: readonly T[]): T[] {
  return list.length === 0 ? [] : list.slice();
}
