/**
 * "Did you mean …" for mistyped names: candidates within a small edit distance, closest first, plus
 * those that contain what was typed ("sw1" → "core-sw1").
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = word.trim().toLowerCase();
  if (w === "") return [];
  const limit = Math.max(1, Math.floor(w.length / 3));
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of new Set(candidates)) {
    const n = name.toLowerCase();
    const d = editDistance(w, n);
    if (d <= limit) scored.push({ name, score: d });
    else if (w.length >= 2 && n.includes(w))
      scored.push({ name, score: limit + 1 + (n.length - w.length) / 100 });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}
