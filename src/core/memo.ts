/**
 * A function of a string, remembered per string: for the texts a policy repeats for every resource
 * (operators, messages, expressions). At `limit` keys everything is forgotten at once, so input that
 * is not repetitive (user text) cannot grow it without bound.
 */
export function rememberedByText<V>(limit: number, compute: (text: string) => V): (text: string) => V {
  const remembered = new Map<string, V>();
  return (text) => {
    if (remembered.has(text)) return remembered.get(text) as V;
    const value = compute(text);
    if (remembered.size >= limit) remembered.clear();
    remembered.set(text, value);
    return value;
  };
}
