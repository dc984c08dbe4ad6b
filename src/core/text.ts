/** Edit distance between two strings (insertions, deletions, substitutions), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** Up to `limit` candidates closest to `query` (case-insensitive), nearest first; substring matches count as close. */
export function closeMatches(query: string, candidates: readonly string[], limit = 3): string[] {
  const q = query.toLowerCase();
  const scored = candidates.map((c) => {
    const lc = c.toLowerCase();
    const d = lc.includes(q) || q.includes(lc) ? 0 : editDistance(q, lc);
    return { c, d };
  });
  const maxDistance = Math.max(2, Math.floor(q.length / 3));
  return scored
    .filter((s) => s.d <= maxDistance)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, limit)
    .map((s) => s.c);
}
