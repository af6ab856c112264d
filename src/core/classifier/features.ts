import { FOLLOW_UP_STARTS, PHRASES, WORDS } from './lexicon';
import { S as SIGNALS, SIGNAL_COUNT } from './signals';
import { StakesScan } from './stakes';

// Signals of a prompt, extracted in one pass over its lower-cased text: word lists (lexicon.ts) in a precomputed hash
// table, a few character counts, no regular expressions in the hot path. Shared by the rules and the learned strategy.
// The table and everything the scan calls per word live here, not in another module: a test or benchmark loads the
// sources as CommonJS, where every use of another module's export goes through a getter.

export { S, SIGNAL_COUNT, SIGNAL_NAMES } from './signals';

export interface Features {
  /** Rule signals; counts (not yet squashed). */
  sig: Float64Array;
  chars: number;
  words: number;
  /** Length that counts: for few-shot prompts, about one exemplar's length. */
  effChars: number;
  questionMarks: number;
  highStakesDomain: string | null;
  followUpCue: boolean;
}

// ---- Precomputed open-addressing table keyed by the 32-bit FNV-1a hash of a word (or of a word pair) ----
// Value bits: 0-7 signal + 1, 12 follow-up starter, 13 phrase starter, 14 "answer", 15 "words",
// 16-20 phrase signal + 1 (pair entries). High-stakes words live in stakes.ts.
const F_FOLLOW = 1 << 12;
const F_PHRASE_START = 1 << 13;
const F_ANSWER = 1 << 14;
const F_WORDS = 1 << 15;
const TBITS = 13;
const TSIZE = 1 << TBITS;
const TMASK = TSIZE - 1;
const tKeys = new Uint32Array(TSIZE);
const tVals = new Int32Array(TSIZE);
const tUsed = new Uint8Array(TSIZE);

export function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
export const pairHash = (a: number, b: number) => (Math.imul(a ^ 0x9e3779b9, 0x01000193) ^ b) >>> 0;

function slot(h: number): number {
  let i = (h ^ (h >>> 15)) & TMASK;
  while (tUsed[i] && tKeys[i] !== h) i = (i + 1) & TMASK;
  return i;
}
function orVal(h: number, bits: number) {
  const i = slot(h);
  if (!tUsed[i]) {
    tUsed[i] = 1;
    tKeys[i] = h;
    tVals[i] = 0;
  }
  tVals[i] |= bits;
}
function lookup(h: number): number {
  let i = (h ^ (h >>> 15)) & TMASK;
  while (tUsed[i]) {
    if (tKeys[i] === h) return tVals[i];
    i = (i + 1) & TMASK;
  }
  return 0;
}
for (const [w, sg] of WORDS) orVal(fnv(w), sg + 1);
for (const w of FOLLOW_UP_STARTS) orVal(fnv(w), F_FOLLOW);
orVal(fnv('answer'), F_ANSWER);
orVal(fnv('words'), F_WORDS);
for (const [p, sg] of PHRASES) {
  const [a, b] = p.split(' ');
  orVal(fnv(a), F_PHRASE_START);
  orVal(pairHash(fnv(a), fnv(b)), (sg + 1) << 16);
}

/** The signals' indices as a local: where the sources load as CommonJS (tests, benchmarks), every use of another
 *  module's export is a getter call, and this file reads them per word. */
const S = SIGNALS;
const LONG_FORM = S.LongForm;

/** Characters scanned at the head and the tail of a long prompt. */
export const SCAN_HEAD = 1600;
export const SCAN_TAIL = 800;

const isWordChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 39 || c === 45 || c === 43 || c === 35 || c > 127;

/** What the pass has counted so far, and the word before the one being read. */
interface Scan {
  /** The (lower-case) text scanned: for a long prompt, its head and tail. */
  readonly lower: string;
  readonly hash: ((h: number) => void) | undefined;
  readonly sig: Float64Array;
  readonly stakes: StakesScan;
  words: number;
  questionMarks: number;
  fences: number;
  syntax: number;
  newlines: number;
  digits: number;
  mathOps: number;
  answerCues: number;
  choiceLines: number;
  numberedLines: number;
  prevVal: number;
  prevHash: number;
  prevNum: number;
  followUp: boolean;
  lineStart: boolean;
  /** The word just read: where it ends, its hash, its value if it is a number (else -1). */
  end: number;
  h: number;
  num: number;
}

/** A scan at its start (an object literal: quicker to make, once per prompt, than a class with field initialisers). */
function newScan(lower: string, hash: ((h: number) => void) | undefined): Scan {
  return {
    lower,
    hash,
    sig: new Float64Array(SIGNAL_COUNT),
    stakes: new StakesScan(),
    words: 0,
    questionMarks: 0,
    fences: 0,
    syntax: 0,
    newlines: 0,
    digits: 0,
    mathOps: 0,
    answerCues: 0,
    choiceLines: 0,
    numberedLines: 0,
    prevVal: 0,
    prevHash: 0,
    prevNum: -1,
    followUp: false,
    lineStart: true,
    end: 0,
    h: 0,
    num: -1,
  };
}

/**
 * One pass over the text. `extraStakes` are user terms (lower-case) checked with a substring search.
 * If `hash` is given, it is called with the FNV-1a hash of every word and word bigram (the learned model's features).
 * `lowered` says the text is already lower-case.
 */
export function extract(
  text: string,
  extraStakes: readonly string[] = [],
  hash?: (h: number) => void,
  lowered = false,
): Features {
  const whole = lowered ? text : text.toLowerCase();
  const full = whole.length;
  // Very long prompts: the signals come from the head and the tail (the middle is mostly pasted material).
  const lower = full > SCAN_HEAD + SCAN_TAIL ? `${whole.slice(0, SCAN_HEAD)}\n${whole.slice(full - SCAN_TAIL)}` : whole;
  const s = newScan(lower, hash);
  const n = lower.length;
  let i = 0;
  while (i < n) {
    const c = lower.charCodeAt(i);
    if (c === 32)
      i++; // a space: nothing to count
    else i = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 127 ? scanWord(s, c, i) : scanMark(s, c, i);
  }
  return features(s, whole, extraStakes);
}

/** A word: [a-z0-9'+#-]+ (apostrophe and hyphen inside only) starting at `i` with character `c`; returns where the
 *  scan goes on. (Two parts, each small enough for the compiler to inline into the loop.) */
function scanWord(s: Scan, c: number, i: number): number {
  const j = readWord(s, i);
  countWord(s, c, i);
  return j;
}

/** Reads the word at `i`: its end, hash and number value (-1 when it is not a number) into the scan; a "600-word"
 *  counts towards long form. Returns where the word's characters end. */
function readWord(s: Scan, i: number): number {
  const lower = s.lower;
  const n = lower.length;
  let j = i + 1;
  while (j < n && isWordChar(lower.charCodeAt(j))) j++;
  let end = j;
  while (end > i + 1 && (lower.charCodeAt(end - 1) === 39 || lower.charCodeAt(end - 1) === 45)) end--;
  let h = 0x811c9dc5;
  let lead = 0;
  let leadDigits = 0;
  let allDigits = true;
  for (let k = i; k < end; k++) {
    const d = lower.charCodeAt(k);
    h = Math.imul(h ^ d, 0x01000193);
    if (allDigits && d >= 48 && d <= 57) {
      lead = lead * 10 + (d - 48);
      leadDigits++;
    } else allDigits = false;
  }
  // "1,500" → 1500; "600-word" / "2,000-word" → a long-form request
  if (leadDigits === 3 && s.prevNum >= 0 && i > 0 && lower.charCodeAt(i - 1) === 44) lead += s.prevNum * 1000;
  if (
    leadDigits > 0 &&
    !allDigits &&
    lead >= 250 &&
    end - i > leadDigits + 4 &&
    lower.startsWith('-word', i + leadDigits)
  )
    s.sig[LONG_FORM] += 2;
  s.end = end;
  s.h = h >>> 0;
  s.num = leadDigits > 0 && allDigits ? lead : -1;
  return j;
}

/** Counts the word just read (starting at `i` with character `c`): its signals, its phrase with the word before,
 *  stakes, the learned model's hashes. */
function countWord(s: Scan, c: number, i: number): void {
  const { h, end, num } = s;
  s.words++;
  if (s.lineStart) lineMarker(s, c, i, end);
  s.lineStart = false;
  if (num >= 0) s.digits++;
  const v = lookup(h);
  if (v !== 0) wordSignals(s, v, end);
  if (s.prevVal & F_PHRASE_START) {
    const pv = lookup(pairHash(s.prevHash, h));
    const ps = (pv >> 16) & 31;
    if (ps) s.sig[ps - 1] += 1;
  }
  s.stakes.word(h, s.prevHash);
  if (s.hash) {
    s.hash(h);
    if (s.prevHash !== 0) s.hash(pairHash(s.prevHash, h));
  }
  s.prevVal = v;
  s.prevNum = num;
  s.prevHash = h;
}

/** A word opening a line: "A)" / "1." mark a choice or a numbered line. */
function lineMarker(s: Scan, c: number, i: number, end: number): void {
  const nx = s.lower.charCodeAt(end);
  if (end - i <= 2 && (nx === 41 || nx === 46)) {
    if (c >= 97 && c <= 101 && end - i === 1) s.choiceLines++;
    else if (c >= 48 && c <= 57) s.numberedLines++;
  }
}

/** What a word found in the lexicon (its table value `v`, the word ending at `end`) counts towards. */
function wordSignals(s: Scan, v: number, end: number): void {
  if (s.words === 1 && v & F_FOLLOW) s.followUp = true;
  const sg = v & 255;
  if (sg) s.sig[sg - 1] += 1;
  if (v & F_ANSWER && s.lower.charCodeAt(end) === 58) s.answerCues++;
  if (v & F_WORDS && s.prevNum >= 250) s.sig[LONG_FORM] += 2;
}

/** A character outside a word (`c` at `i`): line breaks, question marks, code fences and syntax, maths operators;
 *  returns where the scan goes on. */
function scanMark(s: Scan, c: number, i: number): number {
  const lower = s.lower;
  switch (c) {
    case 10: // \n
      s.newlines++;
      s.lineStart = true;
      break;
    case 63: // ?
      s.questionMarks++;
      break;
    case 96: // `
      if (lower.charCodeAt(i + 1) === 96 && lower.charCodeAt(i + 2) === 96) {
        s.fences++;
        return i + 3;
      }
      s.syntax += 0.5;
      break;
    case 123:
    case 125:
    case 59:
    case 91:
    case 93:
    case 61:
    case 60:
    case 62:
    case 95:
    case 36:
    case 124:
    case 92:
      // { } ; [ ] = < > _ $ | \
      s.syntax++;
      break;
    case 40: // (  — "f(x" / "print(" count as code or maths
      if (i > 0 && lower.charCodeAt(i - 1) > 96 && lower.charCodeAt(i - 1) < 123) s.syntax += 0.5;
      break;
    case 43:
    case 42:
    case 47:
    case 94:
    case 37: // + * / ^ %
      s.mathOps++;
      break;
  }
  if (c !== 10 && c !== 32 && c !== 9 && c !== 13) s.lineStart = false;
  return i + 1;
}

/** The counts of a finished pass as the prompt's features (`whole`: the whole lower-case text). */
function features(s: Scan, whole: string, extraStakes: readonly string[]): Features {
  const { sig, words, questionMarks, fences, syntax } = s;
  const n = s.lower.length;
  const chars = whole.length;
  const grow = chars / n;
  const domain: string | null = s.stakes.result(sig[S.CodeWords] + sig[S.Language] + fences, whole, extraStakes);
  const answerCues = Math.round(s.answerCues * grow);
  const choiceLines = Math.round(s.choiceLines * grow);
  // Few-shot prompts (several "Answer:" lines or many multiple-choice blocks) are long but not hard: count one block.
  const blocks = Math.max(answerCues, Math.floor(choiceLines / 4));
  const fewShot = blocks >= 2;
  const effChars = fewShot ? chars / blocks : chars;
  sig[S.Length] = Math.log2(1 + effChars / 40);
  sig[S.CodeFence] = fences / 2;
  sig[S.CodeSyntax] = Math.min(20, (syntax * 40) / Math.max(40, n)) + (syntax > 6 ? 1 : 0);
  sig[S.Math] += Math.min(3, s.digits / 4) + Math.min(2, s.mathOps / 3);
  sig[S.MultiPart] = Math.max(0, questionMarks - 1) + s.numberedLines * 0.5 + (s.newlines > 3 && !fewShot ? 0.5 : 0);
  sig[S.FewShot] = fewShot ? 1 : choiceLines >= 2 ? 0.5 : 0;
  sig[S.ShortQuestion] = questionMarks > 0 && words <= 12 ? 1 : 0;
  sig[S.HighStakes] = domain ? 1 : 0;
  return {
    sig,
    chars,
    words,
    effChars,
    questionMarks,
    highStakesDomain: domain,
    followUpCue: words <= 12 && s.followUp,
  };
}

/** Squash a count into [0, 1). */
export const sat = (x: number, k = 1) => 1 - Math.exp(-x / k);
