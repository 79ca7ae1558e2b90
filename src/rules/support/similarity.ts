// Similarity of Dockerfiles, for duplicated-dockerfiles.
//
// Measure: each Dockerfile is its sequence of normalised instructions (keyword, flags and
// arguments with whitespace collapsed; comments are not instructions). Similarity is
// 2 * LCS(a, b) / (|a| + |b|), the longest common subsequence ratio (what Python's difflib
// reports): order matters, so two files with the same lines shuffled are not "identical".
//
// Scale: comparing every pair of 2,000 Dockerfiles is 2 million LCS computations. Instead:
// identical files are grouped by their full text first; then a pair can only reach the
// threshold if its multiset overlap does (LCS <= overlap), and a pair with enough overlap
// must share one of the rarest few instructions of each file (prefix filtering, as in
// AllPairs/PPJoin set-similarity joins). Only pairs that share such an instruction are
// looked at (at most a few hundred per file), their overlap bound is a cheap merge of sorted
// ids, and the LCS runs on the best few bounds per file, stopping once no remaining bound can
// beat the best match found.
import type { DockerfileModel } from "../../dockerfile/model.ts";

/** Instructions as compared: `COPY --chown=app . .`, `RUN apt-get update && apt-get install -y curl`. */
export function normalizedInstructions(model: DockerfileModel): string[] {
  return model.instructions.map((instruction) => {
    const flags = instruction.flags.map((flag) => `--${flag.name}${flag.value === undefined ? "" : `=${flag.value}`}`);
    // Collapsing whitespace changes nothing when every whitespace character is a lone space.
    const text = /\s\s|[^\S ]/.test(instruction.argumentText) ? instruction.argumentText.replace(/\s+/g, " ") : instruction.argumentText;
    const words = [instruction.onbuild ? `ONBUILD ${instruction.keyword}` : instruction.keyword, ...flags, text.trim()];
    return words.filter(Boolean).join(" ");
  });
}

export function longestCommonSubsequence(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? (previous[j - 1] ?? 0) + 1 : Math.max(previous[j] ?? 0, current[j - 1] ?? 0);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? 0;
}

export function sharedPrefixLength(a: readonly string[], b: readonly string[]): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length++;
  return length;
}

export function similarity(a: readonly string[], b: readonly string[]): number {
  return a.length + b.length === 0 ? 1 : (2 * longestCommonSubsequence(a, b)) / (a.length + b.length);
}

export interface Match {
  other: string;
  similarity: number;
  sharedPrefix: number;
}

/** LCS computations per file at most; candidates come best bound first, so this rarely cuts anything real. */
const MAX_COMPARISONS_PER_FILE = 25;
/**
 * Candidates one file collects from the index at most, rarest shared instruction first. In a
 * family of hundreds of near-copies every file would otherwise meet every other one; any of
 * the first few hundred is as good a "consolidate with" answer as the very best.
 */
const MAX_CANDIDATES_PER_FILE = 200;

/**
 * For each file (path -> instruction sequence) the most similar other file at or above
 * `threshold`, if any. Files shorter than `minInstructions` take no part.
 */
export function bestMatches(files: ReadonlyMap<string, readonly string[]>, threshold: number, minInstructions: number): Map<string, Match> {
  const result = new Map<string, Match>();
  // 1. Identical files: each one's best match is another copy.
  const byText = new Map<string, string[]>();
  for (const [filePath, sequence] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (sequence.length < minInstructions) continue;
    const key = sequence.join("\n");
    const paths = byText.get(key);
    if (paths) paths.push(filePath);
    else byText.set(key, [filePath]);
  }
  const representatives: { path: string; sequence: readonly string[]; ids: number[]; prefix: number[] }[] = [];
  for (const paths of byText.values()) {
    const sequence = files.get(paths[0] ?? "") ?? [];
    paths.forEach((filePath, index) => {
      const other = paths[index === 0 ? 1 : 0];
      if (other !== undefined) result.set(filePath, { other, similarity: 1, sharedPrefix: sequence.length });
    });
    representatives.push({ path: paths[0] ?? "", sequence, ids: [], prefix: [] });
  }

  // 2. Multiset tokens: the k-th occurrence of an instruction is its own token, so overlap counts repeats.
  // Each distinct instruction text is hashed once: tokens are looked up by (instruction number,
  // occurrence) and numbered in order of first appearance.
  const instructionNumbers = new Map<string, number>();
  const tokenIds: Map<number, number>[] = [];
  let tokenCount = 0;
  const frequency: number[] = [];
  for (const representative of representatives) {
    const seen = new Map<number, number>();
    for (const instruction of representative.sequence) {
      let number = instructionNumbers.get(instruction);
      if (number === undefined) {
        number = instructionNumbers.size;
        instructionNumbers.set(instruction, number);
        tokenIds.push(new Map());
      }
      const occurrence = (seen.get(number) ?? 0) + 1;
      seen.set(number, occurrence);
      const byOccurrence = tokenIds[number] as Map<number, number>;
      let id = byOccurrence.get(occurrence);
      if (id === undefined) {
        id = tokenCount++;
        byOccurrence.set(occurrence, id);
        frequency.push(0);
      }
      frequency[id] = (frequency[id] ?? 0) + 1;
      representative.ids.push(id);
    }
    representative.ids.sort((a, b) => a - b);
  }
  // 3. Prefix filter: with overlap >= t(|A|+|B|)/2 and |B| >= |A|t/(2-t), A needs at least
  //    ceil(t|A|/(2-t)) shared tokens, so some shared token is among its |A| - that + 1 rarest.
  for (const representative of representatives) {
    const n = representative.ids.length;
    const needed = Math.ceil((threshold * n) / (2 - threshold) - 1e-9);
    const byRarity = [...representative.ids].sort((a, b) => (frequency[a] ?? 0) - (frequency[b] ?? 0) || a - b);
    representative.prefix = byRarity.slice(0, Math.max(1, n - needed + 1));
  }

  const candidates = representatives.map(() => [] as { other: number; bound: number }[]);
  const index = new Map<number, number[]>();
  representatives.forEach((representative, current) => {
    const seen = new Set<number>();
    probe: for (const token of representative.prefix) {
      for (const other of index.get(token) ?? []) {
        if (seen.has(other)) continue;
        if (seen.size >= MAX_CANDIDATES_PER_FILE) break probe;
        seen.add(other);
        const a = representative.ids;
        const b = representatives[other]?.ids ?? [];
        const ratio = Math.min(a.length, b.length) / Math.max(a.length, b.length);
        if (ratio < threshold / (2 - threshold)) continue;
        const bound = (2 * sortedOverlap(a, b)) / (a.length + b.length);
        if (bound < threshold) continue;
        candidates[current]?.push({ other, bound });
        candidates[other]?.push({ other: current, bound });
      }
    }
    for (const token of representative.prefix) {
      const postings = index.get(token);
      if (postings) postings.push(current);
      else index.set(token, [current]);
    }
  });

  // 4. Exact similarity on the most promising candidates.
  const computed = new Map<string, number>();
  representatives.forEach((representative, current) => {
    if (result.has(representative.path)) return;
    const list = (candidates[current] ?? []).sort((x, y) => y.bound - x.bound || x.other - y.other);
    let best: { other: number; similarity: number } | undefined;
    for (const candidate of list.slice(0, MAX_COMPARISONS_PER_FILE)) {
      if (best && candidate.bound <= best.similarity) break;
      const key = current < candidate.other ? `${current}:${candidate.other}` : `${candidate.other}:${current}`;
      let value = computed.get(key);
      if (value === undefined) {
        value = similarity(representative.sequence, representatives[candidate.other]?.sequence ?? []);
        computed.set(key, value);
      }
      if (value >= threshold && (!best || value > best.similarity)) best = { other: candidate.other, similarity: value };
    }
    const other = best === undefined ? undefined : representatives[best.other];
    if (best && other) result.set(representative.path, { other: other.path, similarity: best.similarity, sharedPrefix: sharedPrefixLength(representative.sequence, other.sequence) });
  });
  return result;
}

function sortedOverlap(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] ?? 0;
    const y = b[j] ?? 0;
    if (x === y) {
      shared++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return shared;
}
