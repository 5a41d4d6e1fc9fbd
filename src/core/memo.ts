/**
 * A function of a string, remembered per string: for the texts a policy repeats for every resource
 * (operators, messages, expressions). At `limit` keys everything is forgotten at once, so input that
 * is not repetitive (user text) cannot grow it without bound.
 */
export function rememberedByText<V>(limit: number, compute: (text: string) => V): (text: string) => V {
  const remembered = new Map<string, V>();
  return (text) => {
    // One lookup on a hit (this runs for every condition and variable of every rule).
    const hit = remembered.get(text);
    if (hit !== undefined || remembered.has(text)) return hit as V;
    const value = compute(text);
    if (remembered.size >= limit) remembered.clear();
    remembered.set(text, value);
    return value;
  };
}
