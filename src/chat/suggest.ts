/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions, each one edit), small
 * and allocation-light: names here are short. Three rows, because a transposition looks two back.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      // Transposition ("hlep" → "help") counts as one edit: from the row two back.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        cur[j] = Math.min(cur[j]!, before[j - 2]! + 1);
      }
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Candidates close to `input`, best first: prefix matches, those within an edit distance that grows
 * with the length of the word (1 for short words, up to 3), then those containing it ("sw1" → "core-sw1").
 */
export function suggest(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const needle = input.toLowerCase();
  const maxDistance = needle.length <= 3 ? 1 : needle.length <= 6 ? 2 : 3;
  const scored: { name: string; score: number }[] = [];
  for (const candidate of new Set(candidates)) {
    const c = candidate.toLowerCase();
    if (candidate === input) continue;
    const d = editDistance(needle, c);
    if (c.startsWith(needle) && needle.length >= 2) scored.push({ name: candidate, score: 0.5 });
    else if (d <= maxDistance) scored.push({ name: candidate, score: d });
    else if (needle.length >= 2 && c.includes(needle))
      scored.push({ name: candidate, score: maxDistance + 1 });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((s) => s.name);
}
